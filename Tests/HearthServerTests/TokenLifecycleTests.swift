import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

/// A token's life on a live server: revoking a used invitation ends the session token it was exchanged for, an
/// expired token is refused, and failed sign-ins are counted per address for the abuse log.
@Suite struct TokenLifecycleTests {
    @Test func revokingAUsedInvitationClosesItsSessionAndRefusesItsSessionToken() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let clinic = server.clinic
        let (dana, _) = try await server.connect(clinic.counselor.token)
        let invitation = try await dana.invite(clinic.maria.0.id, to: clinic.family.id)
        let (maria, welcome) = try await server.connect(invitation.token)
        let sessionToken = try #require(welcome.sessionToken)
        #expect(try await maria.join(clinic.family.id).room == clinic.family.id)

        // The admin revokes the invitation (as `hearthd token revoke` does), not the session token they never saw.
        #expect(try Directory(server.database).revokeCounting(token: invitation.token) == 1)
        let closed = try await maria.closed(timeout: .seconds(4))
        #expect(closed.code == 4001)
        do {
            _ = try await server.connect(sessionToken)
            Issue.record("the session token of a revoked invitation still worked")
        } catch HearthClientError.refused(let code, let message) {
            #expect(code == .unauthorized)
            #expect(message == "This token is not valid. Ask your counselor for a new invitation.")
        }
    }

    @Test func aTokenPastItsLastDayIsRefusedWithUnauthorized() async throws {
        let server = try TestServer { $0.tokenRecheckSeconds = 1 }
        defer { server.shutdown() }
        let zone = TimeZone.current
        let today = LocalDate(server.clock.now, in: zone)
        let token = try Directory(server.database).issueToken(for: server.clinic.alex.0.id, lastDay: today, in: zone,
                                                              now: server.clock.now)
        let (alex, _) = try await server.connect(token)
        // Midnight passes: the connection is closed at the next re-check (every second here), and the token no
        // longer signs in.
        server.clock.set(Directory.endOfDay(today, in: zone))
        #expect(try await alex.closed(timeout: .seconds(4)).code == 4001)
        do {
            _ = try await server.connect(token)
            Issue.record("an expired token signed in")
        } catch HearthClientError.refused(let code, let message) {
            #expect(code == .unauthorized)
            #expect(message == "This token has expired. Ask your counselor for a new one.")
        }
    }

    @Test func failedSignInsAreCountedPerAddressAndLoggedOnceWithoutTheToken() async throws {
        let server = try TestServer()
        defer { server.shutdown() }
        let revoked = try Directory(server.database).issueToken(for: server.clinic.sam.0.id)
        try Directory(server.database).revoke(token: revoked)
        let bad = [AccessToken.generate(), AccessToken.generate(), revoked, "hth_guess", AccessToken.generate()]
        // Every connection open first, then every hello at once: the refusals land within one report.
        var connections: [HearthConnection] = []
        for _ in bad { connections.append(try await server.client.connect(server.url)) }
        for (connection, token) in zip(connections, bad) {
            connection.send(ClientRequest(.hello(token: token), ref: "h"))
        }
        for connection in connections {
            #expect(try await connection.error().code == .unauthorized)
            #expect(try await connection.closed().code == 4001)
        }
        // A good sign-in is not counted.
        _ = try await server.connect(server.clinic.alex.token)

        func lines() -> [String] {
            server.logs.text.split(separator: "\n").map(String.init).filter { $0.contains("failed_sign_in") }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while lines().isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let found = lines()
        #expect(found.count == 1)
        let line = try #require(found.first)
        #expect(line.hasPrefix("notice"))
        // All five, unless the once-a-second tick fell between the refusals (the rest then wait a minute).
        let total = try #require(line.firstMatch(of: /"hearth\.abuse\.total": (\d+)/).flatMap { Int($0.output.1) })
        #expect((1...bad.count).contains(total))
        #expect(line.contains(#""hearth.abuse.addresses": 127.0.0.1=\#(total)"#))
        for token in bad { #expect(!server.logs.text.contains(token)) }
        #expect(!server.logs.text.contains("hth_"))
    }
}
