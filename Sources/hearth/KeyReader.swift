import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the terminal's bytes on a thread of its own (a blocking `read`), handing each chunk on as it comes; an
/// empty chunk means standard input ended.
enum KeyReader {
    static func start(_ deliver: @escaping @Sendable ([UInt8]) -> Void) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    deliver([])
                    return
                }
                deliver(Array(buffer[0..<count]))
            }
        }
        thread.name = "hearth-keys"
        thread.start()
    }
}
