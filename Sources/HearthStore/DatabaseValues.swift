import GRDB
import HearthCore

// Core's ids and enums are stored as their raw strings.
extension PersonID: DatabaseValueConvertible {}
extension RoomID: DatabaseValueConvertible {}
extension SeriesID: DatabaseValueConvertible {}
extension MessageID: DatabaseValueConvertible {}
extension Role: DatabaseValueConvertible {}
extension SessionKind: DatabaseValueConvertible {}
extension AlertSeverity: DatabaseValueConvertible {}
extension AlertCategory: DatabaseValueConvertible {}
