/// Native TLS for the listening side: the certificate chain and private key (PEM files) libwebsockets serves
/// `https://` and `wss://` with. TLS 1.2 is the floor; TLS 1.2 offers only forward-secret AEAD suites.
public struct ServerTLS: Sendable, Equatable {
    /// The certificate, followed by any intermediate certificates, in PEM.
    public var certificatePath: String
    /// The certificate's private key in PEM; it should be readable by the server's user only.
    public var privateKeyPath: String

    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }

    /// TLS 1.2 suites: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 (Mozilla's "intermediate" list).
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// TLS 1.3 suites (all of them are modern).
    static let tls13Ciphers = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

    /// `Strict-Transport-Security` on every HTTPS response: browsers use https for a year.
    static let strictTransportSecurity = "max-age=31536000"
}
