/// How many terminal columns text takes, and how to fit it into a given number of columns: East Asian wide and
/// fullwidth characters and emoji take two, combining marks and zero-width characters none (they join the character
/// before them), control characters none (the screen never draws them).
///
/// ```swift
/// TextWidth.columns("日本語")                         // 6
/// TextWidth.truncate("Group therapy", to: 8)        // "Group t…"
/// TextWidth.wrap("a long body", width: 6)           // ["a long", "body"]
/// ```
public enum TextWidth {
    /// The columns one grapheme takes: 0, 1 or 2.
    public static func columns(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        switch first.properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark, .lineSeparator, .paragraphSeparator, .surrogate:
            return 0
        default:
            break
        }
        // Hangul medial vowels and final consonants, and other zero-width scalars that start no cluster of their own.
        if (0x1160...0x11FF).contains(first.value) || first.value == 0x200B { return 0 }
        if isWide(first.value) { return 2 }
        let properties = first.properties
        if scalars.contains(where: { $0.value == 0xFE0E }) { return 1 }
        if properties.isEmojiPresentation { return 2 }
        if properties.isEmoji, scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        return 1
    }

    /// The columns a string takes.
    public static func columns<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        for character in text { total += columns(character) }
        return total
    }

    /// The text as the screen draws it: tabs and newlines become spaces, other control characters go.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" { out.append(" ") } else if !isControl(scalar) {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The longest start of `text` that fits in `width` columns; when it had to be cut, it ends with `ellipsis`
    /// (dropped too when even that does not fit).
    public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        if columns(text) <= width { return text }
        let room = width - columns(ellipsis)
        guard room >= 0 else { return prefix(text, columns: width) }
        return prefix(text, columns: room) + ellipsis
    }

    /// The longest start of `text` that fits in `width` columns, never splitting a wide character.
    public static func prefix(_ text: String, columns width: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let cost = columns(text[index])
            if used + cost > width { break }
            used += cost
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// `text` cut or padded with spaces to exactly `width` columns (a wide character that would cross the edge
    /// becomes a space).
    public static func pad(_ text: String, to width: Int) -> String {
        let cut = prefix(text, columns: width)
        return cut + String(repeating: " ", count: max(0, width - columns(cut)))
    }

    /// Word-wraps text into lines of at most `width` columns (`firstWidth` for the first line, when given): breaks at
    /// spaces, keeps the newlines in the text, and breaks words longer than a line where they reach its edge.
    /// Control characters are dropped and tabs become spaces.
    public static func wrap(_ text: String, width: Int, firstWidth: Int? = nil) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var limit = max(0, firstWidth ?? width)
        var line = ""
        var lineColumns = 0

        func finishLine() {
            lines.append(line)
            line = ""
            lineColumns = 0
            limit = width
        }

        let paragraphs = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for paragraph in paragraphs {
            let words = sanitized(String(paragraph)).split(separator: " ", omittingEmptySubsequences: true)
            for word in words {
                let wordColumns = columns(word)
                let gap = lineColumns == 0 ? 0 : 1
                if lineColumns + gap + wordColumns <= limit {
                    if gap == 1 { line += " " }
                    line += word
                    lineColumns += gap + wordColumns
                    continue
                }
                if wordColumns <= width, lineColumns > 0 || limit < width {
                    // The word fits on a line of its own: start one.
                    finishLine()
                    if wordColumns <= limit {
                        line = String(word)
                        lineColumns = wordColumns
                        continue
                    }
                }
                // Too long for any line: break it, filling the current line first.
                if lineColumns > 0 && lineColumns + 1 < limit {
                    line += " "
                    lineColumns += 1
                } else if lineColumns > 0 {
                    finishLine()
                }
                for character in word {
                    let cost = columns(character)
                    if lineColumns + cost > limit && (lineColumns > 0 || limit < width) { finishLine() }
                    line.append(character)
                    lineColumns += cost
                }
            }
            finishLine()
        }
        return lines.isEmpty ? [""] : lines
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15 (EastAsianWidth.txt), besides the emoji the
    /// scalar properties report.
    private static func isWide(_ value: UInt32) -> Bool {
        if value < 0x1100 { return false }
        for range in wideRanges {
            if value < range.lowerBound { return false }
            if value <= range.upperBound { return true }
        }
        return false
    }

    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1B2FB,
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202,
        0x1F210...0x1F23B, 0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F320,
        0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3,
        0x1F3E0...0x1F3F0, 0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC,
        0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596,
        0x1F5A4...0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2,
        0x1F6D5...0x1F6D7, 0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB,
        0x1F7F0...0x1F7F0, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FAFF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
