import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the token for `hearth login`: from a terminal without echoing it, otherwise one line from standard input
/// (so a script can pipe it in). The prompt goes to standard error, the token nowhere.
enum TokenPrompt {
    /// The terminal's settings while echo is off, to put back if the person presses Ctrl-C.
    nonisolated(unsafe) private static var saved = termios()

    /// Prompts and reads one line; nil at end of input.
    static func read(prompt: String) -> String? {
        guard isatty(STDIN_FILENO) == 1 else { return readLine(strippingNewline: true) }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return readLine(strippingNewline: true) }
        saved = original
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        let previous = signal(SIGINT) { signal in
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &TokenPrompt.saved)
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            signal(SIGINT, previous)
        }
        return readLine(strippingNewline: true)
    }
}
