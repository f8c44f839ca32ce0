import Foundation
import HearthCore

/// How an exported transcript is written.
public enum TranscriptFormat: String, Codable, Sendable, CaseIterable {
    case text, json
}

/// Why a transcript could not be exported, and what to do about it.
public enum TranscriptError: Error, Equatable, CustomStringConvertible {
    case unknownRoom(RoomID)
    case missingRecipient
    case missingPurpose

    public var description: String {
        switch self {
        case .unknownRoom(let room):
            "There is no room \(room). `hearthd schedule list` shows the rooms and their ids."
        case .missingRecipient:
            "Name the recipient: a staff member's id or key for a copy inside the program, or the person or "
                + "organization outside it exactly as the participants' consent forms name them."
        case .missingPurpose:
            "State the purpose of the disclosure (for an outside recipient, as the consent forms state it)."
        }
    }
}

/// The §2.32 notice that goes first in every exported transcript.
public enum RedisclosureNotice {
    public static let text = "This record which has been disclosed to you is protected by Federal confidentiality "
        + "rules (42 CFR part 2). These rules prohibit you from making any further disclosure of this record unless "
        + "further disclosure is expressly permitted by the written consent of the individual whose record is being "
        + "disclosed or as otherwise permitted by 42 CFR part 2. A general authorization for the release of medical "
        + "or other information is NOT sufficient for this purpose (see §2.31). The Federal rules restrict any use "
        + "of the information to investigate or prosecute with regard to a crime any patient with a substance use "
        + "disorder, except as provided at §§2.12(c)(5) and 2.65."
}

/// One session's record as it is disclosed: what the formats write. Names are display names; no person ids.
public struct Transcript: Codable, Equatable, Sendable {
    /// The session the room belongs to; times in its own zone.
    public struct Session: Codable, Equatable, Sendable {
        public var title: String
        public var kind: String
        public var date: String
        public var starts: String
        public var ends: String
        public var timeZone: String
    }

    /// One line of the record: a message, or the place of a withheld one (time and seq only).
    public struct Entry: Codable, Equatable, Sendable {
        public var seq: Int64
        /// Local time in the session's zone, e.g. `2026-11-23T18:05:12-08:00`.
        public var time: String
        /// True for a message this disclosure may not carry: nothing else is set.
        public var withheld: Bool?
        public var from: String?
        public var role: String?
        /// `chat`, `announcement`, `private` (to staff) or `whisper`.
        public var kind: String?
        /// A whisper's member.
        public var to: String?
        /// Held for review and never released: the room never saw it.
        public var held: Bool?
        /// A counselor hid it from the room, for this reason; the record keeps the text.
        public var hiddenReason: String?
        public var text: String?
    }

    /// A consent under which an external transcript carries a participant's messages: it travels with the export.
    public struct Consent: Codable, Equatable, Sendable {
        public var participant: String
        public var consent: String
        public var recipient: String
        public var purpose: String
        public var givenOn: String
        public var expiresOn: String?
    }

    public var notice: String
    public var session: Session
    public var exportedAt: String
    public var exportedBy: String
    public var recipient: String
    public var purpose: String
    public var disclosure: Int64
    public var external: Bool
    public var entries: [Entry]
    public var consents: [Consent]

    enum CodingKeys: String, CodingKey {
        case notice, session, exportedAt, exportedBy, recipient, purpose, disclosure, external, entries, consents
    }

    /// How many messages it carries, and how many it withholds.
    public var messageCount: Int { entries.count { $0.withheld != true } }
    public var withheldCount: Int { entries.count { $0.withheld == true } }
}

/// One exported transcript and its place in the accounting of disclosures.
public struct TranscriptExport: Sendable, Equatable {
    /// The transcript as written in the requested format; the notice comes first.
    public var content: String
    /// The disclosure's number in the accounting.
    public var disclosure: Int64
    /// True when the recipient is outside the program.
    public var external: Bool
    /// The participants whose messages (or whose family's messages, or whispers to whom) it carries.
    public var included: [PersonID]
    /// Messages withheld because no consent covers them.
    public var withheld: Int
    /// Messages carried.
    public var messages: Int
}
