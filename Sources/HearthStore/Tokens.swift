import Crypto
import Foundation

/// Access tokens: 256 random bits, shown once, stored only as a SHA-256 hash.
public enum AccessToken {
    /// A new token such as `hth_Qm9…` (256 bits of `SystemRandomNumberGenerator`, base64url).
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &rng) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "hth_" + base64
    }

    /// The stored form: SHA-256 of the token's UTF-8 bytes. A high-entropy token needs no slow hash.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
