#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file reads with open(2)/read(2): no Foundation, a hard size limit.
public enum FileBytes {
    /// Reads the file at `path`, refusing files larger than `limit` bytes.
    /// Throws `SystemError` (check `isNotFound` for a missing file) or `FileTooLarge`.
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = openForReading(path)
        if fd < 0 { throw SystemError("open", path: path, errno: errno) }
        return try read(fd, path: path, limit: limit)
    }

    /// The same, nil when there is no file at `path`: the usual answer for a control file, given
    /// without making a SystemError and catching it again (some 1,300 instructions a file, and a
    /// session looks for some 40 that are not there).
    public static func readIfPresent(_ path: String, limit: Int) throws -> [UInt8]? {
        let fd = openForReading(path)
        if fd < 0 {
            let error = SystemError("open", path: path, errno: errno)
            if error.isNotFound { return nil }
            throw error
        }
        return try read(fd, path: path, limit: limit)
    }

    /// Reads the open file `fd` (and closes it).
    private static func read(_ fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw SystemError("fstat", path: path, errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw SystemError("read", path: path, errno: EISDIR) }
        if Int(st.st_size) > limit { throw FileTooLarge(path: path, size: Int(st.st_size), limit: limit) }
        // Sized to the file (plus the byte that shows EOF): a control file of a few bytes must not
        // cost a zeroed 64 KB buffer in every per-connection process. /proc files report 0 bytes.
        return try readAll(fd, limit: limit, path: path, expected: Int(st.st_size))
    }

    /// open(2) for reading (close-on-exec): -1 with errno ENOENT, and no system call, for a control
    /// file ControlListing knows is absent. Every open of a file that may be a control file goes here.
    public static func openForReading(_ path: String) -> Int32 {
        if ControlListing.isAbsent(path) {
            errno = ENOENT
            return -1
        }
        return open(path, O_RDONLY | O_CLOEXEC)
    }

    /// stat(2), nil when it fails (errno says why), with openForReading's shortcut for an absent
    /// control file. Every look at a path below goes through it.
    private static func status(_ path: String) -> stat? {
        if ControlListing.isAbsent(path) {
            errno = ENOENT
            return nil
        }
        var st = stat()
        return stat(path, &st) == 0 ? st : nil
    }

    /// A read buffer of `count` bytes, not zeroed: read(2) fills what is used. A zeroed 64 KB array
    /// cost a memset and a fresh page on each of its 16 pages for a 10 KB message, four times a message
    /// in qsentry-queue. Only the bytes a read returned may be looked at.
    public static func buffer(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Reads `fd` to its end, refusing more than `limit` bytes (`FileTooLarge`); EINTR retried.
    public static func readAll(_ fd: Int32, limit: Int, path: String, expected: Int = 65535) throws -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(min(expected, limit))
        var chunk = Self.buffer(min(65536, max(512, expected + 1)))
        while true {
            let n = try readSome(fd, into: &chunk, path: path)
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > limit { throw FileTooLarge(path: path, size: bytes.count, limit: limit) }
        }
        return bytes
    }

    /// One read(2) into `buffer`, retrying EINTR: the bytes read, 0 at the end.
    public static func readSome(_ fd: Int32, into buffer: inout [UInt8], path: String) throws -> Int {
        let n = buffer.withUnsafeMutableBytes { readSome(fd, into: $0) }
        if n < 0 { throw SystemError("read", path: path, errno: errno) }
        return n
    }

    /// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = "\(path).tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError("open", path: tmp, errno: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            try writeAll(fd, bytes, path: tmp)
            if fsync(fd) != 0 { throw SystemError("fsync", path: tmp, errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw SystemError("close", path: tmp, errno: errno) }
        if rename(tmp, path) != 0 { throw SystemError("rename", path: path, errno: errno) }
        ok = true
    }

    /// Writes every byte, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try writeAll(fd, bytes[...], path: path)
    }

    /// Writes every byte of `bytes`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>, path: String) throws {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path, errno: errno)
            }
            offset += n
        }
    }

    /// One read(2) into raw memory, retrying EINTR: the bytes read, 0 at the end, -1 on an error
    /// (errno says which). For the SMTP and socket layers, which read into their own buffers.
    public static func readSome(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 || errno != EINTR { return n }
        }
    }

    /// Waits until `fd` can be read (or is at its end) for at most `milliseconds`: true when it
    /// can, false when the time ran out, nil on an error. EINTR does not extend the wait.
    public static func waitReadable(_ fd: Int32, milliseconds: Int) -> Bool? {
        let deadline = monotonicMilliseconds() + milliseconds
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let left = max(0, deadline - monotonicMilliseconds())
            let n = poll(&p, 1, Int32(min(left, Int(Int32.max))))
            if n > 0 { return true }
            if n == 0 { return false }
            if errno != EINTR { return nil }
        }
    }

    /// Reads `fd` from `offset` to its end, 64 KB at a time: `body` gets the buffer and how many
    /// bytes of it were read, and answers false to stop. Throws SystemError when the seek or a
    /// read fails. (The spool's body for DKIM, ARC and the signer.)
    public static func eachPiece(of fd: Int32, from offset: Int, path: String, _ body: (inout [UInt8], Int) throws -> Bool) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else { throw SystemError("lseek", path: path, errno: errno) }
        var buffer = Self.buffer(64 * 1024)
        while true {
            let n = try readSome(fd, into: &buffer, path: path)
            if n == 0 { return }
            if try !body(&buffer, n) { return }
        }
    }

    /// Copies the rest of `input` (from its current offset) to `output`, 64 KB at a time.
    public static func copy(from input: Int32, to output: Int32, path: String) throws {
        var buffer = Self.buffer(64 * 1024)
        while true {
            let n = try readSome(input, into: &buffer, path: path)
            if n == 0 { return }
            try writeAll(output, buffer[0..<n], path: "output")
        }
    }

    /// The file's type bits (S_IFDIR, S_IFREG …), nil when it cannot be stat'ed (errno says why).
    public static func type(_ path: String) -> mode_t? {
        status(path).map { $0.st_mode & S_IFMT }
    }

    /// The type bits of an open file, nil when fstat fails.
    public static func type(fd: Int32) -> mode_t? {
        var st = stat()
        return fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : nil
    }

    /// Whether a path exists (any kind of file).
    public static func exists(_ path: String) -> Bool {
        status(path) != nil
    }

    /// Whether a path is there, with "cannot tell" kept apart from "absent": a directory
    /// qsentry may not search (EACCES) must never pass for a missing file.
    public static func probe(_ path: String) throws -> Bool {
        if status(path) != nil { return true }
        let e = errno
        if e == ENOENT || e == ENOTDIR { return false }
        throw SystemError("stat", path: path, errno: e)
    }

    /// Modification time in nanoseconds since the epoch, or nil when the file is missing: to tell
    /// which of two files written within the same second is newer.
    public static func modificationNanoseconds(_ path: String) -> Int? {
        guard let st = status(path) else { return nil }
        return Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
    }

    /// Modification time in seconds, or nil when the file is missing.
    public static func modificationTime(_ path: String) -> Int? {
        status(path).map { Int($0.st_mtim.tv_sec) }
    }
}

/// A file over the size a reader accepts (a list that large belongs in a cdb).
public struct FileTooLarge: Error, CustomStringConvertible {
    public let path: String
    public let size: Int
    public let limit: Int
    public var description: String {
        "\(path): file is larger than \(limit) bytes; compile it to a cdb"
    }
}
