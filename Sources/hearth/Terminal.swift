import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The controlling terminal: raw mode for the screen (keys arrive one by one, nothing is echoed), the alternate
/// screen, its size, and the way back to how it was on every exit (normal, Ctrl-C, /quit, SIGTERM, SIGHUP).
final class Terminal: @unchecked Sendable {
    private var original = termios()
    private var raw = false
    private let lock = NSLock()

    /// The terminal's size in columns and rows (80x24 when it cannot be read).
    static func size() -> (width: Int, height: Int) {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 {
            return (Int(size.ws_col), Int(size.ws_row))
        }
        return (80, 24)
    }

    /// Whether standard input and output are a terminal.
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Raw mode, the alternate screen and a hidden cursor. Undone by `restore()`.
    func enter() throws {
        lock.lock(); defer { lock.unlock() }
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw TerminalError.notATerminal }
        var settings = original
        settings.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        settings.c_oflag &= ~tcflag_t(OPOST)
        settings.c_cflag |= tcflag_t(CS8)
        settings.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &settings.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &settings) == 0 else { throw TerminalError.notATerminal }
        raw = true
        Self.write("\u{1b}[?1049h\u{1b}[?25l\u{1b}[2J")
    }

    /// Puts the terminal back as it was: cooked mode, the main screen, a visible cursor. Safe to call twice.
    func restore() {
        lock.lock(); defer { lock.unlock() }
        guard raw else { return }
        raw = false
        Self.write("\u{1b}[0m\u{1b}[?25h\u{1b}[?1049l")
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
    }

    /// Writes to standard output at once (no buffering between frames).
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written <= 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// Why the screen could not start.
enum TerminalError: Error, CustomStringConvertible {
    case notATerminal

    var description: String {
        switch self {
        case .notATerminal:
            "The screen needs a terminal. For scripts, use a subcommand such as `hearth rooms --json` (see `hearth --help`)."
        }
    }
}
