#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCDB

/// A constant database read through tinycdb: the file is mmap'd, look-ups copy only the value found.
///
/// A file too short to hold a cdb header, or whose pointers run past its end,
/// is reported as `CDBError.corrupt` rather than read as "no such key": a
/// caller that sees "not found" must be able to trust it.
public final class CDB {
    public let path: String
    private var db = cdb()
    private let fd: Int32

    public convenience init(path: String) throws {
        let fd = FileBytes.openForReading(path)
        if fd < 0 { throw Self.openError(path, errno: errno) }
        try self.init(path: path, fd: fd)
    }

    /// The database at `path`, or nil when there is none: the usual answer for the optional ones
    /// (morercpthosts.cdb, users/cdb, validrcptto.cdb), given without making the error `init`
    /// throws and catching it again (some 10,000 instructions each, a session asks three).
    public static func ifPresent(_ path: String) throws -> CDB? {
        let fd = FileBytes.openForReading(path)
        if fd < 0 {
            let e = errno
            if e == ENOENT { return nil }
            throw openError(path, errno: e)
        }
        return try CDB(path: path, fd: fd)
    }

    private static func openError(_ path: String, errno e: Int32) -> CDBError {
        let err = SystemError("open", path: path, errno: e)
        return CDBError(e == ENOENT ? .notFound : .unreadable, path: path, "cannot open: \(err.description.dropFirst(path.count + 8))")
    }

    /// Takes `fd`, open on `path`, and closes it when the file is not a cdb.
    private init(path: String, fd: Int32) throws {
        self.path = path
        self.fd = fd
        var st = stat()
        if fstat(fd, &st) != 0 || Int(st.st_size) < 2048 {
            close(fd)
            throw CDBError(.corrupt, path: path, "truncated or not a cdb (shorter than its 2048-byte header)")
        }
        if cdb_init(&db, fd) != 0 {
            let e = errno
            close(fd)
            throw CDBError(e == EPROTO ? .corrupt : .unreadable, path: path, "cannot map: \(String(cString: strerror(e)))")
        }
        try checkHeader(size: Int(st.st_size))
    }

    deinit {
        cdb_free(&db)
        close(fd)
    }

    /// The first value stored under `key`, or nil. Throws when the file is corrupt.
    public func find(_ key: [UInt8]) throws -> [UInt8]? {
        let r = key.withUnsafeBytes { cdb_find(&db, $0.baseAddress, UInt32($0.count)) }
        if r < 0 { throw CDBError(.corrupt, path: path, "corrupt data while looking up a key") }
        if r == 0 { return nil }
        return try value(length: db.cdb_vlen, position: db.cdb_vpos)
    }

    public func find(_ key: String) throws -> [UInt8]? { try find(Array(key.utf8)) }

    /// Every value stored under `key`, in file order.
    public func findAll(_ key: [UInt8]) throws -> [[UInt8]] {
        var finder = cdb_find()
        var values: [[UInt8]] = []
        let r = key.withUnsafeBytes { cdb_findinit(&finder, &db, $0.baseAddress, UInt32($0.count)) }
        if r < 0 { throw CDBError(.corrupt, path: path, "corrupt hash table") }
        while true {
            let n = cdb_findnext(&finder)
            if n < 0 { throw CDBError(.corrupt, path: path, "corrupt data while looking up a key") }
            if n == 0 { break }
            values.append(try value(length: db.cdb_vlen, position: db.cdb_vpos))
        }
        return values
    }

    /// Every record in file order (for `qsentry cdb --dump` and tests).
    public func records() throws -> [(key: [UInt8], value: [UInt8])] {
        var cursor: UInt32 = 2048
        var out: [(key: [UInt8], value: [UInt8])] = []
        while true {
            let r = cdb_seqnext(&cursor, &db)
            if r < 0 { throw CDBError(.corrupt, path: path, "corrupt record") }
            if r == 0 { break }
            let k = try value(length: db.cdb_klen, position: db.cdb_kpos)
            let v = try value(length: db.cdb_vlen, position: db.cdb_vpos)
            out.append((k, v))
        }
        return out
    }

    private func value(length: UInt32, position: UInt32) throws -> [UInt8] {
        guard let p = cdb_get(&db, length, position) else {
            throw CDBError(.corrupt, path: path, "record points past the end of the file")
        }
        return Array(UnsafeRawBufferPointer(start: p, count: Int(length)))
    }

    /// The 256 header pointers must lie inside the file; tinycdb checks lazily, we check once.
    private func checkHeader(size: Int) throws {
        guard let header = cdb_get(&db, 2048, 0) else {
            throw CDBError(.corrupt, path: path, "cannot read header")
        }
        let words = header.assumingMemoryBound(to: UInt32.self)
        for i in 0..<256 {
            let pos = Int(UInt32(littleEndian: words[2 * i]))
            let slots = Int(UInt32(littleEndian: words[2 * i + 1]))
            if slots > 0 && (pos < 2048 || pos + slots * 8 > size) {
                throw CDBError(.corrupt, path: path, "truncated or corrupt: hash table \(i) points past the end of the file")
            }
        }
    }
}
