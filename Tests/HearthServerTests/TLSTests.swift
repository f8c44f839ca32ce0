import Foundation
import HearthClient
import HearthCore
import HearthServer
import Testing

/// Native TLS: `https://` and `wss://` with a certificate made at test time, verified by the clients.
@Suite struct TLSTests {
    private func tlsServer(_ certificates: TestCertificates) throws -> TestServer {
        try TestServer {
            $0.tlsCert = certificates.certificate
            $0.tlsKey = certificates.key
        }
    }

    @Test func membersTalkOverWSSWithTheClinicsCA() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try tlsServer(certificates)
        defer { server.shutdown() }
        let client = try HearthClient(caFile: certificates.caFile)
        defer { client.shutdown() }
        let url = "wss://127.0.0.1:\(server.port)/ws"
        let alex = try await client.connect(url)
        _ = try await alex.hello(token: server.clinic.alex.token)
        _ = try await alex.join(server.clinic.group.id)
        let sam = try await client.connect("wss://localhost:\(server.port)/ws")
        _ = try await sam.hello(token: server.clinic.sam.token)
        _ = try await sam.join(server.clinic.group.id)
        let ack = try await alex.post("over TLS", to: server.clinic.group.id)
        let received = try await sam.messages(1)
        #expect(received.map(\.body) == ["over TLS"])
        #expect(received.first?.seq == ack.seq)
    }

    @Test func aCertificateFromAnotherCAIsRefusedBeforeAnythingIsSent() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try tlsServer(certificates)
        defer { server.shutdown() }
        for client in [try HearthClient(caFile: certificates.otherCAFile), try HearthClient()] {
            defer { client.shutdown() }
            await #expect {
                _ = try await client.connect("wss://127.0.0.1:\(server.port)/ws")
            } throws: { error in
                guard case .connectFailed = error as? HearthClientError else { return false }
                return true
            }
        }
        // Plain ws:// to the TLS port does not open either.
        await #expect(throws: HearthClientError.self) { _ = try await server.client.connect(server.url) }
    }

    @Test func httpsAnswersWithHSTSAndRefusesTLS11() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try tlsServer(certificates)
        defer { server.shutdown() }
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        let https = try TestCertificates.openssl(
            ["s_client", "-quiet", "-verify_return_error", "-CAfile", certificates.caFile, "-servername", "localhost",
             "-connect", "127.0.0.1:\(server.port)"], in: certificates.folder, input: request)
        #expect(https.output.contains("HTTP/1.1 200"))
        #expect(https.output.lowercased().contains("strict-transport-security: max-age=31536000"))
        // A client that offers only TLS 1.1 (and would accept weak suites) gets no connection.
        let old = try TestCertificates.openssl(
            ["s_client", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", certificates.caFile,
             "-connect", "127.0.0.1:\(server.port)"], in: certificates.folder)
        #expect(old.status != 0)
        #expect(old.output.contains("alert protocol version") || old.output.contains("no protocols available"))
        let modern = try TestCertificates.openssl(
            ["s_client", "-tls1_2", "-CAfile", certificates.caFile, "-connect", "127.0.0.1:\(server.port)"],
            in: certificates.folder)
        #expect(modern.output.contains("Verify return code: 0 (ok)"))
        #expect(modern.output.contains("ECDHE"))
    }

    @Test func underTLSTheDefaultOriginsAreHTTPS() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try tlsServer(certificates)
        defer { server.shutdown() }
        let client = try HearthClient(caFile: certificates.caFile)
        defer { client.shutdown() }
        let url = "wss://127.0.0.1:\(server.port)/ws"
        _ = try await client.connect(url, origin: "https://127.0.0.1:\(server.port)")
        await #expect(throws: HearthClientError.self) {
            _ = try await client.connect(url, origin: "http://127.0.0.1:\(server.port)")
        }
    }
}

/// The counselors' `hearth` over `wss://`, trusting the clinic's CA through `HEARTH_CA_FILE` or `--ca-file`.
@Suite(.timeLimit(.minutes(3))) struct TerminalClientTLSTests {
    @Test func hearthVerifiesTheServerAndTrustsTheClinicsCAFile() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try TestServer {
            $0.tlsCert = certificates.certificate
            $0.tlsKey = certificates.key
        }
        defer { server.shutdown() }
        let url = "wss://127.0.0.1:\(server.port)/ws"
        let cli = try HearthCLI(url: url, token: server.clinic.counselor.token)
        defer { cli.cleanUp() }
        let trusted = try await cli.run(["rooms", "--json"], environment: ["HEARTH_CA_FILE": certificates.caFile])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout.contains(server.clinic.group.id.rawValue))
        let flag = try await cli.run(["send", "group", "Over TLS.", "--ca-file", certificates.caFile])
        #expect(flag.status == 0, "\(flag.stderr)")
        let untrusted = try await cli.run(["rooms"])
        #expect(untrusted.status == 69)
        #expect(untrusted.stderr.contains("could not be verified"))
        #expect(untrusted.stderr.contains("--ca-file"))
        #expect(!untrusted.stderr.contains(server.clinic.counselor.token))
    }
}

/// Where `hearthd` agrees to listen without TLS, and what it says when it will not.
@Suite struct PlainHTTPRefusalTests {
    @Test func plainHTTPOnAPublicAddressIsRefusedNamingTheCertificateOption() throws {
        var configuration = ServerConfiguration()
        configuration.host = "0.0.0.0"
        #expect(throws: ConfigurationError.plainOnPublicAddress("0.0.0.0")) { try configuration.validate() }
        #expect(ConfigurationError.plainOnPublicAddress("0.0.0.0").description.contains("--tls-cert"))
        configuration.tlsCert = "/etc/hearth/cert.pem"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }  // no key
        configuration.tlsKey = "/etc/hearth/key.pem"
        try configuration.validate()
    }

    @Test func behindAProxyNeedsHTTPSOrigins() throws {
        var configuration = ServerConfiguration()
        configuration.host = "10.0.0.5"
        configuration.behindProxy = true
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.allowedOrigins = ["http://chat.clinic.example"]
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.allowedOrigins = ["https://chat.clinic.example"]
        try configuration.validate()
        #expect(ServerConfiguration.isLoopback("127.0.0.1") && ServerConfiguration.isLoopback("localhost"))
        #expect(!ServerConfiguration.isLoopback("0.0.0.0") && !ServerConfiguration.isLoopback(""))
    }

    @Test func hearthdServeExitsWithTheReasonOnAPublicAddress() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-plain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = ChildProcess()
        process.executableURL = LiveServer.binary
        process.arguments = ["serve", "--host", "0.0.0.0", "--port", "0", "--web", "",
                             "--db", folder.appendingPathComponent("hearth.db").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains("Refusing to serve plain HTTP on 0.0.0.0"))
        #expect(output.contains("--tls-cert"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("hearth.db").path))
    }
}
