import Foundation
import HearthCore
import HearthStore
import HearthTransport

/// What sign-in found in the store, read off the service thread.
enum HelloRead: Sendable {
    /// The token is refused (unknown, revoked, expired, a used invitation): counted for the abuse log.
    case refused(String)
    /// The person may not take part (an ended enrollment, no consent in force): the refusal's words.
    case noStanding(String)
    /// A single-use invitation, not used yet: redeemed on the records queue (a write) before the welcome.
    case redeem
    /// Signed in: who, and the welcome's rooms.
    case welcome(WelcomeRead)
}

/// The welcome of someone signed in, read off the service thread.
struct WelcomeRead: Sendable {
    var identity: Identity
    /// The store's access version the read saw (a re-check the hub started since may have missed this connection).
    var accessVersion: Int64
    /// The token no longer works (revoked or expired while this was read).
    var tokenValid: Bool
    /// Nil when the rooms could not be listed.
    var rooms: [RoomDescriptor]?
    /// When access may end with no write to the store (the token's expiry, an enrollment's end, a consent's last
    /// day over): the hub checks the connection again then.
    var accessDue: Date?
}

extension StoreReads {
    /// Sign-in without writing: the token, then the person's standing (for an invitation to one room, also the
    /// consents that room needs, so a family member without consent does not spend a single-use invitation), then,
    /// for a token that needs no redemption, the welcome.
    func hello(token: String, now: Date) throws -> HelloRead {
        // One read transaction: the token, the standing and the welcome's rooms see the same store.
        try catalog.read { reader in
            let identity: Identity, redeem: Bool
            let (check, expires) = try reader.token(hash: AccessToken.hash(token), now: now)
            switch check {
            case .refused(let reason): return .refused(reason)
            case .valid(let person): (identity, redeem) = (person, false)
            case .invitation(let person): (identity, redeem) = (person, true)
            }
            if let refusal = try reader.standing(identity, series: nil, timeZone: .current, now: now) {
                return .noStanding(refusal.message)
            }
            if let only = identity.onlyRoom, let room = try reader.descriptor(of: only),
               let refusal = try reader.standing(identity, in: room, now: now) {
                return .noStanding(refusal.message)
            }
            return redeem ? .redeem : .welcome(welcome(reader, identity, tokenValid: true, tokenExpires: expires, now: now))
        }
    }

    /// After an invitation was redeemed: the person's standing again, then the welcome.
    func welcome(redeemed identity: Identity, sessionToken: String, now: Date) throws -> HelloRead {
        let hash = AccessToken.hash(sessionToken)
        return try catalog.read { reader in
            if let refusal = try reader.standing(identity, series: nil, timeZone: .current, now: now) {
                return .noStanding(refusal.message)
            }
            let (check, expires) = try reader.token(hash: hash, now: now)
            let valid = if case .refused = check { false } else { true }
            return .welcome(welcome(reader, identity, tokenValid: valid, tokenExpires: expires, now: now))
        }
    }

    /// The rooms someone may join today (in each session's zone) or that are open now, and the next one of each of
    /// their series, sorted by start: only the person's own rooms are read (`RoomCatalog.Reader.rooms(for:)`). In
    /// the caller's read transaction; a failed read lists nothing (`rooms` nil).
    func welcome(_ reader: RoomCatalog.Reader, _ identity: Identity, tokenValid: Bool, tokenExpires: Date?,
                 now: Date) -> WelcomeRead {
        do {
            let found = try reader.rooms(for: identity, from: now.addingTimeInterval(-36 * 3600),
                                         to: now.addingTimeInterval(36 * 3600), next: now)
            var result = found.overlapping.filter { room in
                LocalDate(room.starts, in: room.timeZone) == LocalDate(now, in: room.timeZone) || room.isOpen(at: now)
            }
            var seen = Set(result.map(\.id))
            for room in found.next where !seen.contains(room.id) {
                seen.insert(room.id)
                result.append(room)
            }
            let rooms = result.filter { Self.listable(reader, identity, $0, now: now) }
                .sorted { ($0.starts, $0.id) < ($1.starts, $1.id) }
            let zones = Array(Set([TimeZone.current] + rooms.map(\.timeZone)))
            let due = [tokenExpires, try? reader.standingChanges(identity, in: zones, after: now)]
            return WelcomeRead(identity: identity, accessVersion: reader.accessVersion, tokenValid: tokenValid, rooms: rooms,
                               accessDue: due.compactMap { $0 }.min())
        } catch {
            return WelcomeRead(identity: identity, accessVersion: .max, tokenValid: tokenValid, rooms: nil)
        }
    }
}

extension Hub {
    /// `hello`: the token and the person's standing are checked and the welcome's rooms read off the service thread
    /// (a single-use invitation is redeemed on the records queue in between); the connection's later frames wait,
    /// so a `join` sent right behind its `hello` is handled after the welcome, as before. While the check runs the
    /// connection has said hello: the hello deadline does not close it.
    func hello(_ connection: Connection, token: String, ref: String?) {
        connection.signIn.checking()
        let reads = self.reads, now = clock()
        lookup(connection, { try reads.hello(token: token, now: now) }) { [self] connection, result in
            switch result {
            case .failure:
                logger.error("token lookup failed", metadata: ["hearth.connection": "\(connection.id)"])
                helloFailed(connection, .init(.internal, "The server could not check your token. Try again."), ref: ref)
            case .success(.refused(let reason)):
                logger.notice("hello refused", metadata: ["hearth.connection": "\(connection.id)"])
                // Counted per address for the abuse log (at most once a minute, never the token): guessing shows.
                transport.noteAbuse(.failedSignIn, on: connection.id)
                refuse(connection, reason, ref: ref)
            case .success(.noStanding(let message)):
                logger.notice("hello refused: no standing", metadata: ["hearth.connection": "\(connection.id)"])
                refuse(connection, message, ref: ref)
            case .success(.redeem):
                redeem(connection, token: token, ref: ref)
            case .success(.welcome(let read)):
                signedIn(connection, read, tokenHash: AccessToken.hash(token), sessionToken: nil, ref: ref) { [self] in
                    hello(connection, token: token, ref: ref)
                }
            }
        }
    }

    /// Redeems a single-use invitation (a write, on the records queue: two connections cannot both use one), then
    /// reads the welcome.
    private func redeem(_ connection: Connection, token: String, ref: String?) {
        let directory = self.directory, now = clock()
        recordLookup(connection, what: "invitation redemption", { try directory.signIn(token: token, now: now) }) {
            [self] connection, result in
            switch result {
            case .failure(let error):
                logger.error("token lookup failed", metadata: ["hearth.connection": "\(connection.id)"])
                helloFailed(connection, .record(error, "The server could not check your token. Try again."), ref: ref)
            case .success(.refused(let reason)):
                logger.notice("hello refused", metadata: ["hearth.connection": "\(connection.id)"])
                transport.noteAbuse(.failedSignIn, on: connection.id)
                refuse(connection, reason, ref: ref)
            case .success(.valid(let identity, let sessionToken)):
                welcomeRedeemed(connection, identity, sessionToken: sessionToken ?? token, ref: ref)
            }
        }
    }

    private func welcomeRedeemed(_ connection: Connection, _ identity: Identity, sessionToken: String, ref: String?) {
        let reads = self.reads, now = clock()
        lookup(connection, { try reads.welcome(redeemed: identity, sessionToken: sessionToken, now: now) }) {
            [self] connection, result in
            switch result {
            case .success(.welcome(let read)):
                signedIn(connection, read, tokenHash: AccessToken.hash(sessionToken), sessionToken: sessionToken, ref: ref) {
                    [self] in welcomeRedeemed(connection, identity, sessionToken: sessionToken, ref: ref)
                }
            case .success(.noStanding(let message)):
                logger.notice("hello refused: no standing", metadata: [
                    "hearth.connection": "\(connection.id)", "hearth.person": "\(identity.id)",
                ])
                refuse(connection, message, ref: ref)
            case .success(.refused(let reason)):
                refuse(connection, reason, ref: ref)
            case .success(.redeem), .failure:
                logger.error("token lookup failed", metadata: ["hearth.connection": "\(connection.id)"])
                helloFailed(connection, .init(.internal, "The server could not check your token. Try again."), ref: ref)
            }
        }
    }

    /// Signs the connection in and sends the welcome (and, to staff, the open alerts). A read older than the access
    /// version the hub has seen is read again (`again`): a re-check started meanwhile did not cover this connection.
    private func signedIn(_ connection: Connection, _ read: WelcomeRead, tokenHash: Data, sessionToken: String?, ref: String?,
                          again: () -> Void) {
        guard let rooms = read.rooms else {
            logger.error("room list failed", metadata: ["hearth.connection": "\(connection.id)"])
            return helloFailed(connection, .init(.internal, "The server could not list your sessions. Try again."), ref: ref)
        }
        if !accessChecks.isCurrent(readAt: read.accessVersion) { return again() }
        guard read.tokenValid else {
            logger.notice("token revoked or expired: closing", metadata: ["hearth.person": "\(read.identity.id)"])
            return refuse(connection, "Your access has ended: it was revoked, or the session it was for is over.", ref: ref)
        }
        let identity = read.identity, now = clock()
        logger.info("participant connected", metadata: [
            "hearth.connection": "\(connection.id)", "hearth.person": "\(identity.id)",
            "hearth.role": "\(identity.role.rawValue)",
        ])
        // Signed in only once the welcome can be sent, so a `hello` refused with `internal` can be retried.
        connection.signIn.succeeded()
        connection.identity = identity
        connection.tokenHash = tokenHash
        accessChecks.setDue(read.accessDue, for: connection.id)
        transport.markAuthenticated(connection.id)
        reply(connection, .welcome(.init(user: identity.member, rooms: rooms.map { $0.summary(at: now) },
                                      server: "hearth/\(version)", sessionToken: sessionToken, ref: ref)))
        if identity.role.isStaff { replayAlerts(to: connection, identity) }
    }

    /// A `hello` answered `internal`: it may be sent again, and the hello deadline counts from now.
    private func helloFailed(_ connection: Connection, _ error: ProtocolError, ref: String?) {
        connection.signIn.failed(at: .now)
        reply(connection, .error(.init(error, ref: ref)))
    }
}
