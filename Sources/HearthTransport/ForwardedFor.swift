/// Reading `X-Forwarded-For` as a trusted reverse proxy sets it.
enum ForwardedFor {
    /// The address the nearest proxy appended: the last non-empty entry of the comma-separated list, without a
    /// port, if it looks like an IPv4 or IPv6 address. Nil for an empty or malformed header.
    static func clientAddress(_ header: String) -> String? {
        guard let last = header.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty,
              last.utf8.count <= 64 else { return nil }
        var address = Substring(last)
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {   // [v6]:port
            address = address[address.index(after: address.startIndex)..<close]
        } else if address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {  // v4:port
            address = address[..<colon]
        }
        let allowed = address.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
        return allowed && !address.isEmpty ? String(address) : nil
    }
}
