import Foundation
import HearthClient
import HearthCore
@testable import HearthServer
import Testing

/// Prometheus metrics: on their own loopback listener (`metrics_address`), never on the public port, counting what
/// an operator watches, and never carrying a name, an id or a message's text.
@Suite struct MetricsTests {
    /// The value of an unlabelled sample (`name value`) in a scrape, or nil.
    private func sample(_ name: String, in scrape: String) -> Double? {
        for line in scrape.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }

    @Test func aScrapeCountsConnectionsRoomsAndStoredMessagesAndNamesNobody() async throws {
        let metricsPort = try LiveServer.freePort()
        let server = try TestServer { $0.metricsAddress = "\(metricsPort)" }
        defer { server.shutdown() }
        let clinic = server.clinic, room = clinic.group.id
        let alex = try await server.client.connect(server.url)
        _ = try await alex.hello(token: clinic.alex.token)
        _ = try await alex.join(room)
        let body = "a private thing only the group should read"
        for index in 1...3 {
            alex.send(ClientRequest(.send(room: room, body: "\(body) \(index)", clientID: "m\(index)"), ref: "s\(index)"))
        }
        var acks = 0
        while acks < 3 { if case .ack = try await alex.next(timeout: .seconds(10)) { acks += 1 } }

        // The tick refreshes the gauges once a second: wait for the scrape to show this connection and its room, not
        // for time. Both, as a tick between the hello and the join shows the connection with no room live yet.
        var scrape = ""
        let deadline = ContinuousClock.now + .seconds(15)
        repeat {
            scrape = try RawHTTP.get(port: metricsPort, path: "/metrics").body
            if sample("hearth_connections", in: scrape) == 1 && sample("hearth_rooms_live", in: scrape) == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        #expect(sample("hearth_connections", in: scrape) == 1)
        #expect(sample("hearth_rooms_live", in: scrape) == 1)
        #expect(sample("hearth_messages_stored_total", in: scrape) == 3)
        #expect(sample("hearth_delivery_latency_seconds_count", in: scrape) == 3)
        #expect((sample("hearth_commit_batch_messages_count", in: scrape) ?? 0) >= 1)
        #expect(sample("hearth_commit_batch_messages_sum", in: scrape) == 3)
        #expect(sample("hearth_commit_seconds_count", in: scrape) == sample("hearth_commit_batch_messages_count", in: scrape))
        #expect(sample("hearth_send_queue_closures_total", in: scrape) == 0)
        #expect(sample("hearth_alerts_open", in: scrape) == 0)
        // Nothing that identifies anyone or anything they wrote.
        for secret in [body, clinic.alex.token, room.rawValue, clinic.alex.0.id.rawValue, "Alex"] {
            #expect(!scrape.contains(secret))
        }
    }

    @Test func metricsAreNeverServedOnThePublicPort() async throws {
        let metricsPort = try LiveServer.freePort()
        let server = try TestServer { $0.metricsAddress = "127.0.0.1:\(metricsPort)" }
        defer { server.shutdown() }
        #expect(try RawHTTP.get(port: server.port, path: "/metrics").status == 404)
        #expect(try RawHTTP.get(port: metricsPort, path: "/metrics").status == 200)
        #expect(try RawHTTP.get(port: metricsPort, path: "/healthz").status == 404)
    }

    @Test func theMetricsAddressMustBeALoopbackPortOtherThanTheServers() throws {
        func problem(_ address: String) -> String? {
            var configuration = ServerConfiguration()
            configuration.metricsAddress = address
            do {
                try configuration.validate()
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("9464") == nil)
        #expect(problem("127.0.0.1:9464") == nil)
        #expect(problem("[::1]:9464") == nil)
        #expect(problem("0.0.0.0:9464")?.contains("loopback") == true)
        #expect(problem("10.1.2.3:9464")?.contains("loopback") == true)
        #expect(problem("nine")?.contains("metrics_address must be a port") == true)
        #expect(problem("8080")?.contains("another port") == true)
    }
}
