import Foundation
import HearthCore

/// Writes a gathered `Transcript` as text or JSON. Formatting only: what goes in is decided by `TranscriptExporter`.
public enum TranscriptFormatter {
    public static func format(_ transcript: Transcript, as format: TranscriptFormat) throws -> String {
        switch format {
        case .text: text(transcript)
        case .json: try json(transcript)
        }
    }

    /// The notice, the header, every line oldest first, then (external) the consents that cover it.
    public static func text(_ transcript: Transcript) -> String {
        var lines = [transcript.notice, "", "TRANSCRIPT OF A SESSION RECORD"]
        let session = transcript.session
        lines.append("Session:      \(session.title), \(session.date) \(clock(session.starts)) to \(clock(session.ends)) (\(session.timeZone))")
        lines.append("Exported at:  \(transcript.exportedAt)")
        lines.append("Exported by:  \(transcript.exportedBy)")
        lines.append("Recipient:    \(transcript.recipient)")
        lines.append("Purpose:      \(transcript.purpose)")
        lines.append("Disclosure:   \(transcript.disclosure)")
        lines.append(transcript.external
            ? "Kind:         external (outside the program): only the messages of participants whose consent covers this recipient and purpose, and staff messages"
            : "Kind:         internal (to program staff): every message")
        lines.append("Messages:     \(transcript.messageCount) included, \(transcript.withheldCount) withheld")
        lines.append("")
        lines.append("Messages, oldest first (times in \(session.timeZone)):")
        if transcript.entries.isEmpty { lines.append("(no messages)") }
        for entry in transcript.entries { lines.append(line(entry, sessionDate: session.date)) }
        if transcript.external {
            lines.append("")
            lines.append("Consents covering this disclosure (the consent travels with the export):")
            if transcript.consents.isEmpty { lines.append("(none: no participant's messages are included)") }
            for consent in transcript.consents {
                lines.append("- \(consent.participant): consent \(consent.consent), to \(consent.recipient) for "
                             + "\(consent.purpose), given on \(consent.givenOn), expires \(consent.expiresOn ?? "never")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same information, structured (notice first).
    public static func json(_ transcript: Transcript) throws -> String {
        // The encoder does not keep the order of keys: the top level is written by hand, notice first.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        func field<Value: Encodable>(_ key: Transcript.CodingKeys, _ value: Value) throws -> String {
            // Newlines in strings are escaped, so every newline here is the encoder's own indentation.
            let encoded = String(decoding: try encoder.encode(value), as: UTF8.self)
            return "  \"\(key.stringValue)\" : " + encoded.replacingOccurrences(of: "\n", with: "\n  ")
        }
        let fields = [
            try field(.notice, transcript.notice), try field(.session, transcript.session),
            try field(.exportedAt, transcript.exportedAt), try field(.exportedBy, transcript.exportedBy),
            try field(.recipient, transcript.recipient), try field(.purpose, transcript.purpose),
            try field(.disclosure, transcript.disclosure), try field(.external, transcript.external),
            try field(.entries, transcript.entries), try field(.consents, transcript.consents),
        ]
        return "{\n" + fields.joined(separator: ",\n") + "\n}\n"
    }

    static func line(_ entry: Transcript.Entry, sessionDate: String) -> String {
        let when = entry.time.hasPrefix(sessionDate) ? clock(entry.time) : String(entry.time.prefix(10)) + " " + clock(entry.time)
        if entry.withheld == true {
            return "\(when)  [seq \(entry.seq) withheld: not covered by a consent for this recipient and purpose]"
        }
        var markers: [String] = []
        switch entry.kind {
        case "announcement": markers.append("announcement")
        case "private": markers.append("private to staff")
        case "whisper": markers.append("whisper to \(entry.to ?? "?")")
        default: break
        }
        if entry.held == true { markers.append("held for review, never released") }
        if let reason = entry.hiddenReason {
            markers.append(reason.isEmpty ? "hidden by a counselor" : "hidden by a counselor: \(reason)")
        }
        let marks = markers.map { " [\($0)]" }.joined()
        // Continuation lines are indented so a message cannot pass for another line of the record.
        let text = (entry.text ?? "").replacingOccurrences(of: "\n", with: "\n          ")
        return "\(when)  \(entry.from ?? "?")\(marks): \(text)"
    }

    /// `18:05:12` from `2026-11-23T18:05:12-08:00`.
    static func clock(_ local: String) -> String {
        guard let t = local.firstIndex(of: "T") else { return local }
        return String(local[local.index(after: t)...].prefix(8))
    }
}
