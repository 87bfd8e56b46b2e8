#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCDB

/// Builds a cdb with tinycdb, atomically: records go to `PATH.tmp.PID`, which is fsync'd and renamed over `PATH`.
/// Readers therefore see the old file or the new one, never half of one.
public final class CDBWriter {
    public let path: String
    private let tmpPath: String
    private var maker = cdb_make()
    private let fd: Int32
    private var finished = false

    public init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        self.tmpPath = "\(path).tmp.\(getpid())"
        let fd = open(tmpPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 {
            throw CDBError(.writeFailed, path: tmpPath, "cannot create: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        if cdb_make_start(&maker, fd) != 0 {
            close(fd)
            unlink(tmpPath)
            throw CDBError(.writeFailed, path: tmpPath, "cannot start: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if !finished {
            close(fd)
            unlink(tmpPath)
        }
    }

    public func add(_ key: [UInt8], _ value: [UInt8]) throws {
        let r = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                cdb_make_add(&maker, k.baseAddress, UInt32(k.count), v.baseAddress, UInt32(v.count))
            }
        }
        if r != 0 { throw CDBError(.writeFailed, path: tmpPath, "cannot add a record: \(String(cString: strerror(errno)))") }
    }

    public func add(_ key: String, _ value: String) throws { try add(Array(key.utf8), Array(value.utf8)) }

    /// Writes the index, syncs and renames into place.
    public func finish() throws {
        finished = true
        defer { close(fd) }
        guard cdb_make_finish(&maker) == 0, fsync(fd) == 0 else {
            let e = errno
            unlink(tmpPath)
            throw CDBError(.writeFailed, path: tmpPath, "cannot finish: \(String(cString: strerror(e)))")
        }
        if rename(tmpPath, path) != 0 {
            let e = errno
            unlink(tmpPath)
            throw CDBError(.writeFailed, path: path, "cannot rename into place: \(String(cString: strerror(e)))")
        }
    }
}
