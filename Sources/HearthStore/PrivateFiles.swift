import Foundation

/// Why a private file or folder could not be made, and what to do about it. Never holds a file's contents.
public enum PrivateFileError: Error, CustomStringConvertible, Equatable {
    /// The file is already there and this write never replaces one.
    case exists(path: String)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .exists(let path):
            "\(path) already exists and is not replaced. Choose a new file name, or move the old file away first."
        case .cannotCreate(let path, let reason):
            "Cannot create \(path): \(reason). Check that its folder exists and that this user may write to it."
        }
    }
}

/// Files and folders only their owner may read or write: the database and its `-wal`/`-shm`, backups, transcript
/// exports and token lists (mode 0600; folders 0700), whatever the process umask.
///
/// The modes are set with `fchmod`/`chmod` after creating, never by changing the umask: the umask is process-wide,
/// and a library must not change it under other threads.
public enum PrivateFiles {
    /// Read and write for the owner only.
    public static let fileMode: mode_t = 0o600
    /// Read, write and search for the owner only.
    public static let folderMode: mode_t = 0o700

    /// Creates `path` and any missing parents, each new one with mode 0700. A folder that already exists is left
    /// as it is (it may be the working directory or a folder the system's packaging set up). Returns the folders
    /// it created, outermost first.
    @discardableResult
    public static func makeFolder(_ path: String) throws -> [String] {
        var missing: [String] = []
        var current = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: current.path, isDirectory: &isFolder) {
            missing.append(current.path)
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        guard isFolder.boolValue else {
            throw PrivateFileError.cannotCreate(path: path, reason: "\(current.path) is a file, not a folder")
        }
        var created: [String] = []
        for folder in missing.reversed() {
            if mkdir(folder, folderMode) == 0 {
                // mkdir's mode passes through the umask; set it exactly.
                chmod(folder, folderMode)
                created.append(folder)
            } else if errno != EEXIST {
                throw PrivateFileError.cannotCreate(path: folder, reason: String(cString: strerror(errno)))
            }
        }
        return created
    }

    /// Creates a new, empty file with mode 0600; never replaces an existing one.
    /// - Throws: `PrivateFileError.exists` when something is already at `path`.
    public static func create(_ path: String) throws -> FileHandle {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            if errno == EEXIST { throw PrivateFileError.exists(path: path) }
            throw PrivateFileError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        // open's mode passes through the umask; set it exactly.
        fchmod(descriptor, fileMode)
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Writes `data` to `path` with mode 0600. The data goes to a new file beside it first, synced, then takes the
    /// name in one step: a reader never sees half a file. With `replacing` false an existing file is never
    /// replaced (`PrivateFileError.exists`).
    public static func write(_ data: Data, to path: String, replacing: Bool) throws {
        let temporary = temporaryPath(beside: path)
        do {
            let file = try create(temporary)
            try file.write(contentsOf: data)
            try file.synchronize()
            try file.close()
            try place(temporary, at: path, replacing: replacing)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Sets mode 0600 on `path` if it is a regular file (following a symbolic link). Returns false when there is no
    /// such file (or it is a folder or a device, which are left alone).
    /// - Throws: `PrivateFileError.cannotCreate` when the mode cannot be set (another user owns the file).
    @discardableResult
    public static func restrict(_ path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        if info.st_mode & 0o7777 == fileMode || chmod(path, fileMode) == 0 { return true }
        if errno == ENOENT { return false }
        throw PrivateFileError.cannotCreate(path: path, reason: "cannot make it private: \(String(cString: strerror(errno)))")
    }

    /// The permission bits of `path` (e.g. 0o600), or nil when there is nothing there.
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// A new name in the same folder as `path` (so a rename is atomic), hidden and marked as partial.
    static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))").path
    }

    /// Gives `temporary` the name `path`: replacing what is there, or only if nothing is. Then syncs the folder, so
    /// the new name survives a power loss.
    static func place(_ temporary: String, at path: String, replacing: Bool) throws {
        if replacing {
            guard rename(temporary, path) == 0 else {
                throw PrivateFileError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
            }
        } else if link(temporary, path) == 0 {
            unlink(temporary)
        } else if errno == EEXIST {
            throw PrivateFileError.exists(path: path)
        } else {
            // A file system without hard links: check, then rename (not atomic against a racing writer).
            guard !FileManager.default.fileExists(atPath: path) else { throw PrivateFileError.exists(path: path) }
            guard rename(temporary, path) == 0 else {
                throw PrivateFileError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
            }
        }
        let folder = open(URL(fileURLWithPath: path).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
