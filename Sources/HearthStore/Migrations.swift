import GRDB

extension HearthDatabase {
    /// Schema history. Never edit a released migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 people, schedule, rooms and messages") { db in
            try db.create(table: "person") { t in
                t.column("id", .text).primaryKey()
                t.column("role", .text).notNull()
                t.column("displayName", .text).notNull()
                t.column("legalName", .text)
                t.column("familyOf", .text).references("person", onDelete: .cascade)
                t.column("externalKey", .text).unique()
                t.column("createdAt", .integer).notNull()
            }
            try db.create(table: "token") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("personId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.column("hash", .blob).notNull().unique()
                t.column("label", .text).notNull().defaults(to: "")
                t.column("createdAt", .integer).notNull()
                t.column("revokedAt", .integer)
            }
            try db.create(table: "series") { t in
                t.column("id", .text).primaryKey()
                t.column("key", .text).notNull().unique()
                t.column("title", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("weekdays", .text)
                t.column("onDate", .text)
                t.column("startTime", .text).notNull()
                t.column("durationMinutes", .integer).notNull()
                t.column("timeZone", .text).notNull()
                t.column("firstDate", .text)
                t.column("lastDate", .text)
                t.column("openBeforeMinutes", .integer)
                t.column("graceAfterMinutes", .integer)
            }
            try db.create(table: "seriesMember") { t in
                t.column("seriesId", .text).notNull().references("series", onDelete: .cascade)
                t.column("personId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.primaryKey(["seriesId", "personId"])
            }
            try db.create(table: "room") { t in
                t.column("id", .text).primaryKey()
                t.column("seriesId", .text).notNull().references("series", onDelete: .cascade)
                t.column("localDate", .text).notNull()
                t.column("startsAt", .integer).notNull().indexed()
                t.column("endsAt", .integer).notNull()
                t.uniqueKey(["seriesId", "localDate"])
            }
            try db.create(table: "message", options: .withoutRowID) { t in
                t.column("roomId", .text).notNull().references("room", onDelete: .cascade)
                t.column("seq", .integer).notNull()
                t.column("id", .text).notNull()
                t.column("senderId", .text).notNull().references("person")
                t.column("body", .text).notNull()
                t.column("clientId", .text).notNull()
                t.column("sentAt", .integer).notNull()
                t.primaryKey(["roomId", "seq"])
            }
            // The idempotency record: one client_id per sender per room, committed with the message itself.
            try db.create(index: "message_clientId", on: "message", columns: ["roomId", "senderId", "clientId"],
                          unique: true)
        }
        migrator.registerMigration("v2 programs, enrollment, session policies and attendance") { db in
            try db.create(table: "program") { t in
                t.column("key", .text).primaryKey()
                t.column("title", .text).notNull()
                t.column("weeks", .integer).notNull()
                t.column("requiredMinutesPerWeek", .integer).notNull()
            }
            try db.create(table: "cohort") { t in
                t.column("key", .text).primaryKey()
                t.column("programKey", .text).notNull().references("program", onDelete: .cascade)
                t.column("title", .text).notNull()
            }
            try db.create(table: "enrollment") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.column("programKey", .text).notNull().references("program", onDelete: .cascade)
                t.column("cohortKey", .text).indexed().references("cohort", onDelete: .setNull)
                t.column("startDate", .text).notNull()
                t.column("endDate", .text).notNull()
                // Graduation or discharge: when and which. An ended enrollment admits to no room.
                t.column("endedAt", .integer)
                t.column("endReason", .text)
                t.uniqueKey(["personId", "programKey"])
            }
            try db.alter(table: "series") { t in
                t.add(column: "programKey", .text).references("program", onDelete: .setNull)
                t.add(column: "rosterKind", .text).notNull().defaults(to: "list")
                t.add(column: "cohortKey", .text).references("cohort", onDelete: .setNull)
                t.add(column: "admission", .text).notNull().defaults(to: "auto")
                t.add(column: "requiresStaff", .boolean).notNull().defaults(to: false)
                t.add(column: "agreement", .text)
            }
            try db.alter(table: "seriesMember") { t in
                // The first occurrence date a listed participant is on the roster for (they never see earlier ones).
                t.add(column: "fromDate", .text)
            }
            try db.create(table: "seriesFacilitator") { t in
                t.column("seriesId", .text).notNull().references("series", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.primaryKey(["seriesId", "personId"])
            }
            try db.create(table: "occurrenceChange") { t in
                t.column("seriesId", .text).notNull().references("series", onDelete: .cascade)
                t.column("date", .text).notNull()
                t.column("cancelled", .boolean).notNull()
                t.column("movedDate", .text)
                t.column("movedStart", .text)
                t.column("movedDuration", .integer)
                t.primaryKey(["seriesId", "date"])
            }
            try db.alter(table: "token") { t in
                // A family invitation: one room, until a time, redeemed once.
                t.add(column: "roomId", .text)
                t.add(column: "expiresAt", .integer)
                t.add(column: "singleUse", .boolean).notNull().defaults(to: false)
                t.add(column: "usedAt", .integer)
            }
            try db.create(table: "consent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("participantId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.column("familyId", .text).notNull().indexed().references("person", onDelete: .cascade)
                // Nil: every family and multi-family session of the participant.
                t.column("seriesId", .text).references("series", onDelete: .cascade)
                t.column("expiresOn", .text)
                t.column("note", .text)
                t.column("createdAt", .integer).notNull()
                t.column("revokedAt", .integer)
            }
            try db.create(table: "attendance") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("roomId", .text).notNull().indexed().references("room", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                // Seconds since 1970 on the server clock. `leftAt` is nil while the interval is open;
                // `lastSeenAt` is the last moment the server knew the person was there.
                t.column("joinedAt", .integer).notNull()
                t.column("lastSeenAt", .integer).notNull()
                t.column("leftAt", .integer)
            }
            try db.create(index: "attendance_open", on: "attendance", columns: ["leftAt"])
            try db.create(table: "agreementAcceptance") { t in
                t.column("roomId", .text).notNull().references("room", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.column("acceptedAt", .integer).notNull()
                t.primaryKey(["roomId", "personId"])
            }
            try db.create(table: "admission") { t in
                t.column("roomId", .text).notNull().references("room", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.column("decision", .text).notNull()
                t.column("decidedBy", .text).notNull().references("person")
                t.column("decidedAt", .integer).notNull()
                t.primaryKey(["roomId", "personId"])
            }
            try db.create(table: "checkin") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("roomId", .text).notNull().indexed().references("room", onDelete: .cascade)
                t.column("personId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.column("at", .integer).notNull()
                t.column("mood", .integer)
                t.column("craving", .integer)
                t.column("safe", .boolean)
            }
            try db.create(table: "alert") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("roomId", .text).notNull().indexed().references("room", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.column("category", .text).notNull()
                t.column("severity", .text).notNull()
                t.column("raisedAt", .integer).notNull()
                t.column("acknowledgedBy", .text).references("person")
                t.column("acknowledgedAt", .integer)
                t.column("outcome", .text)
            }
            try db.create(table: "meta") { t in
                t.column("key", .text).primaryKey()
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('accessVersion', 0)")
        }
        migrator.registerMigration("v3 moderation, crisis safety, audit and disclosures") { db in
            try db.alter(table: "message") { t in
                // `chat`, `announcement`, `private` (to staff only) or `whisper` (between staff and `toId`).
                t.add(column: "kind", .text).notNull().defaults(to: "chat")
                t.add(column: "toId", .text)
                // Held for a counselor's review (crisis hold or review mode) until released.
                t.add(column: "heldAt", .integer)
                t.add(column: "releasedBy", .text)
                t.add(column: "releasedAt", .integer)
                t.add(column: "hiddenBy", .text)
                t.add(column: "hiddenAt", .integer)
                t.add(column: "hiddenReason", .text)
                t.add(column: "pinnedBy", .text)
                t.add(column: "pinnedAt", .integer)
            }
            try db.create(table: "restriction") { t in
                t.autoIncrementedPrimaryKey("id")
                // `mute` and `remove` hold for one room; `ban` for a series.
                t.column("kind", .text).notNull()
                t.column("roomId", .text).indexed().references("room", onDelete: .cascade)
                t.column("seriesId", .text).indexed().references("series", onDelete: .cascade)
                t.column("personId", .text).notNull().references("person", onDelete: .cascade)
                t.column("until", .integer)
                t.column("byId", .text).notNull().references("person")
                t.column("reason", .text)
                t.column("createdAt", .integer).notNull()
                t.column("liftedAt", .integer)
                t.column("liftedBy", .text).references("person")
            }
            try db.create(table: "roomControl") { t in
                t.column("roomId", .text).primaryKey().references("room", onDelete: .cascade)
                t.column("locked", .boolean).notNull().defaults(to: false)
                t.column("slowSeconds", .integer).notNull().defaults(to: 0)
                t.column("reviewMode", .boolean).notNull().defaults(to: false)
                t.column("endedAt", .integer)
                t.column("endedBy", .text).references("person")
            }
            try db.create(table: "report") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("roomId", .text).notNull().indexed().references("room", onDelete: .cascade)
                t.column("seq", .integer).notNull()
                t.column("reporterId", .text).notNull().references("person", onDelete: .cascade)
                t.column("reason", .text).notNull()
                t.column("at", .integer).notNull()
                t.column("resolvedBy", .text).references("person")
                t.column("resolvedAt", .integer)
                t.column("outcome", .text)
            }
            // 42 CFR Part 2 counseling notes: apart from the room's messages, never sent to participants.
            try db.create(table: "counselorNote") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("roomId", .text).notNull().indexed().references("room", onDelete: .cascade)
                t.column("authorId", .text).notNull().references("person")
                t.column("body", .text).notNull()
                t.column("at", .integer).notNull()
            }
            try db.alter(table: "alert") { t in
                // The flagged message, for alerts raised by the crisis lexicon.
                t.add(column: "seq", .integer)
                t.add(column: "escalatedAt", .integer)
            }
            // Append-only and hash-chained: no foreign keys, so nothing cascades into it.
            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .integer).notNull().indexed()
                t.column("actorId", .text).indexed()
                t.column("action", .text).notNull().indexed()
                t.column("roomId", .text).indexed()
                t.column("targetId", .text)
                t.column("detail", .text)
                t.column("prevHash", .blob).notNull()
                t.column("hash", .blob).notNull()
            }
            try db.execute(sql: """
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
            // A participant's written consent to disclose their records to a named recipient for a purpose (§2.31).
            try db.create(table: "disclosureConsent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("participantId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.column("recipient", .text).notNull()
                t.column("purpose", .text).notNull()
                t.column("expiresOn", .text)
                t.column("note", .text)
                t.column("createdAt", .integer).notNull()
                t.column("revokedAt", .integer)
            }
            // The accounting of disclosures: every transcript export, and whose messages it carried.
            try db.create(table: "disclosure") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .integer).notNull()
                t.column("roomId", .text).notNull().references("room")
                t.column("byId", .text).references("person")
                t.column("recipient", .text).notNull()
                t.column("purpose", .text).notNull()
                t.column("external", .boolean).notNull()
                t.column("format", .text).notNull()
            }
            try db.create(table: "disclosureSubject") { t in
                t.column("disclosureId", .integer).notNull().references("disclosure", onDelete: .cascade)
                t.column("participantId", .text).notNull().indexed().references("person", onDelete: .cascade)
                t.column("consentId", .integer).references("disclosureConsent")
                t.primaryKey(["disclosureId", "participantId"])
            }
            // Messages leave the database only through the retention purge, which sets this flag in its transaction.
            try db.execute(sql: """
                INSERT INTO meta (key, value) VALUES ('purging', 0);
                CREATE TRIGGER message_delete_only_by_purge BEFORE DELETE ON message
                WHEN (SELECT value FROM meta WHERE key = 'purging') IS NOT 1
                BEGIN SELECT RAISE(ABORT, 'messages are deleted only by the retention purge (hearthd purge)'); END;
                """)
        }
        migrator.registerMigration("v4 coalesced alerts") { db in
            try db.alter(table: "alert") { t in
                // A repeat signal (same person, room and category) while the alert is open updates it: how many
                // signals it stands for, when the latest came and, for a flagged message, which one.
                t.add(column: "signals", .integer).notNull().defaults(to: 1)
                t.add(column: "latestAt", .integer)
                t.add(column: "latestSeq", .integer)
            }
            // Finds the open alert a repeat signal updates. Not unique: a database from before coalescing may hold
            // several open alerts of one person, room and category (a repeat updates the newest).
            try db.execute(sql: """
                CREATE INDEX alert_open ON alert (personId, roomId, category) WHERE acknowledgedBy IS NULL
                """)
        }
        migrator.registerMigration("v5 immutable message content") { db in
            // What was said, by whom, when, where and to whom is the treatment record: once stored it never
            // changes. Only the moderation columns (heldAt, releasedBy/At, hiddenBy/At/Reason, pinnedBy/At) may be
            // updated; messages leave only through the retention purge's DELETE (v3). Setting a content column to
            // the value it already has is allowed, so a whole-row save that changes only moderation still works.
            try db.execute(sql: """
                CREATE TRIGGER message_content_immutable
                BEFORE UPDATE OF roomId, seq, id, senderId, body, clientId, sentAt, kind, toId ON message
                WHEN NEW.roomId IS NOT OLD.roomId OR NEW.seq IS NOT OLD.seq OR NEW.id IS NOT OLD.id
                  OR NEW.senderId IS NOT OLD.senderId OR NEW.body IS NOT OLD.body OR NEW.clientId IS NOT OLD.clientId
                  OR NEW.sentAt IS NOT OLD.sentAt OR NEW.kind IS NOT OLD.kind OR NEW.toId IS NOT OLD.toId
                BEGIN SELECT RAISE(ABORT, 'a stored message''s content is never changed: only its held, released, hidden and pinned columns may be updated'); END;
                """)
        }
        migrator.registerMigration("v6 multi-family group consent") { db in
            // A participant's written consent to take part, with their family, in multi-family group sessions,
            // where the other participants and their families read what they say (§2.31).
            try db.create(table: "multiFamilyConsent") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("participantId", .text).notNull().indexed().references("person", onDelete: .cascade)
                // Nil: every multi-family session of the participant.
                t.column("seriesId", .text).references("series", onDelete: .cascade)
                t.column("expiresOn", .text)
                t.column("note", .text)
                t.column("createdAt", .integer).notNull()
                t.column("revokedAt", .integer)
            }
        }

        migrator.registerMigration("v7 token lineage and expiry") { db in
            // The token a token was issued in exchange for (a redeemed invitation's session token): revoking the
            // parent revokes it too. Expiry reuses `expiresAt` (v2), now also set on ordinary tokens.
            try db.alter(table: "token") { t in
                t.add(column: "issuedFrom", .integer).references("token", onDelete: .cascade)
            }
            try db.create(index: "token_issuedFrom", on: "token", columns: ["issuedFrom"])
            // Session tokens issued before lineage was stored: the invitation of the same person and room that was
            // used at the very moment the session token was created (one write transaction did both).
            try db.execute(sql: """
                UPDATE token SET issuedFrom = (
                    SELECT invitation.id FROM token AS invitation
                    WHERE invitation.singleUse AND invitation.personId = token.personId
                      AND invitation.roomId IS token.roomId AND invitation.usedAt = token.createdAt
                    ORDER BY invitation.id LIMIT 1)
                WHERE label = 'invitation session' AND NOT singleUse AND issuedFrom IS NULL
                """)
            // An invitation revoked before now left its session token working: revoke that too, as of then.
            try db.execute(sql: """
                UPDATE token SET revokedAt = (SELECT parent.revokedAt FROM token AS parent WHERE parent.id = token.issuedFrom)
                WHERE revokedAt IS NULL
                  AND issuedFrom IN (SELECT id FROM token WHERE revokedAt IS NOT NULL)
                """)
            if db.changesCount > 0 {
                try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'accessVersion'")
            }
        }
        migrator.registerMigration("v8 indexes for pinned and held messages") { db in
            // A join lists the room's pinned messages, and staff look for the messages held for review: a handful
            // among up to millions, so each is found through a partial index holding only them (by room and seq),
            // never by scanning the room's messages.
            try db.execute(sql: """
                CREATE INDEX message_pinned ON message (roomId, seq) WHERE pinnedAt IS NOT NULL;
                CREATE INDEX message_held ON message (roomId, seq) WHERE heldAt IS NOT NULL AND releasedAt IS NULL;
                """)
        }
        migrator.registerMigration("v9 indexes for a person's rooms") { db in
            // Sign-in and `schedule` read only the person's own rooms: their series (named, or through their
            // cohort), then those series' rooms in a time range. By series and end time, a range starts at the rooms
            // that have not ended yet instead of reading a series' whole history.
            try db.create(index: "room_series_endsAt", on: "room", columns: ["seriesId", "endsAt"])
            // Staff may open every room: theirs is the clinic's list in a range, found by end time.
            try db.create(index: "room_endsAt", on: "room", columns: ["endsAt"])
            try db.create(index: "series_cohortKey", on: "series", columns: ["cohortKey"])
        }
        return migrator
    }
}
