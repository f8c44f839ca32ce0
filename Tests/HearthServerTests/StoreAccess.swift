import HearthCore
import HearthStore

/// Store operations tests perform behind the server's back, as an admin command would.
enum HearthStoreAccess {
    static func revoke(_ token: String, in database: HearthDatabase) throws {
        try Directory(database).revoke(token: token)
    }

    static func messageCount(_ room: RoomID, in database: HearthDatabase) throws -> Int {
        try MessageStore(database).count(in: room)
    }
}
