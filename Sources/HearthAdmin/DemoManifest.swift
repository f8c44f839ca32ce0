import Foundation
import HearthCore
import HearthStore

/// What `--demo-manifest` writes: every demo person's token and invite link, and the rooms.
public struct DemoManifest: Codable, Sendable, Equatable {
    public struct Staff: Codable, Sendable, Equatable {
        public var name: String
        public var role: Role
        public var token: String
    }

    public struct Participant: Codable, Sendable, Equatable {
        public var id: PersonID
        public var name: String
        public var token: String
        public var link: String
        public var rooms: [RoomID]
    }

    public struct Family: Codable, Sendable, Equatable {
        public var id: PersonID
        public var name: String
        /// The participant's id.
        public var of: PersonID
        public var token: String
        public var link: String
        public var rooms: [RoomID]
    }

    public var url: String
    public var ws: String
    public var counselors: [Staff]
    public var participants: [Participant]
    public var families: [Family]
    public var rooms: [RoomSummary]

    /// Pretty, stable JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the JSON to `path` with mode 0600 whatever the umask (it holds every demo token), replacing the
    /// previous run's file in one step.
    public func write(to path: String) throws {
        try PrivateFiles.write(encoded(), to: path, replacing: true)
    }
}
