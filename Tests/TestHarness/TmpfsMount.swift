import Foundation

/// A small tmpfs mounted for one test: a disk that fills up. Needs root (the tests run as root,
/// as install.sh does); unmounted when the test lets go of it.
public final class TmpfsMount: @unchecked Sendable {
    public let path: String

    public init(at path: String, size: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let r = try Run.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path])
        guard r.status == 0 else { throw HarnessError.startFailed("mount tmpfs at \(path): \(r.output)") }
    }

    /// Fills the file system to the last block.
    public func fill() throws {
        _ = try Run.command("/bin/sh", ["-c", "cat /dev/zero > '\(path)/filler' 2>/dev/null; true"])
    }

    /// Frees what `fill` took.
    public func free() {
        try? FileManager.default.removeItem(atPath: path + "/filler")
    }

    deinit { _ = try? Run.command("/bin/umount", ["-l", path]) }
}
