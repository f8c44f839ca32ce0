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
        return migrator
    }
}
