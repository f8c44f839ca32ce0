import Foundation

/// C strings that must outlive a libwebsockets context (lws keeps pointers to them). Freed together.
struct CStringPool {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    mutating func make(_ string: String) -> UnsafePointer<CChar> {
        let pointer = strdup(string)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    mutating func freeAll() {
        for pointer in pointers { free(pointer) }
        pointers.removeAll()
    }
}
