#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryMIME

/// The message from qmail-smtpd, written once to a private file as it arrives and read by the
/// MIME parser in the same pass; never held in memory. The file is anonymous (O_TMPFILE, or
/// unlinked at once): nothing is left behind whatever happens to the process.
public struct MessageSpool {
    public let fd: Int32
    public private(set) var size = 0

    public enum Failure: Error, CustomStringConvertible {
        case read(String), write(String)
        public var description: String {
            switch self { case .read(let s), .write(let s): return s }
        }
    }

    /// Reads `input` to its end into a new spool in `directory`, feeding `parser` as it goes.
    public static func receive(from input: Int32, directory: String, parser: inout MIMEParser) throws(Failure) -> MessageSpool {
        var spool = MessageSpool(fd: try open(directory))
        try spool.take(input, parser: &parser, copy: true)
        return spool
    }

    /// qmail-local hands a `.qmail` program the queue file itself: a regular file can be read in
    /// place (no copy). Anything else (a pipe) is spooled into `directory` as `receive` does.
    public static func readInPlace(_ input: Int32, orSpoolIn directory: String, parser: inout MIMEParser) throws(Failure) -> MessageSpool {
        guard FileBytes.type(fd: input) == S_IFREG, lseek(input, 0, SEEK_SET) == 0 else {
            return try receive(from: input, directory: directory, parser: &parser)
        }
        var spool = MessageSpool(fd: input)
        try spool.take(input, parser: &parser, copy: false)
        return spool
    }

    /// Reads `input` to its end, feeding `parser` and counting the size; with `copy`, writing it
    /// into the spool file too.
    mutating func take(_ input: Int32, parser: inout MIMEParser, copy: Bool) throws(Failure) {
        var buffer = FileBytes.buffer(64 * 1024)
        while true {
            let n: Int
            do { n = try FileBytes.readSome(input, into: &buffer, path: "message") } catch { throw .read("\(error)") }
            if n == 0 { break }
            if copy {
                do { try FileBytes.writeAll(fd, buffer[0..<n], path: "spool") } catch { throw .write("\(error)") }
            }
            size += n
            parser.feed(buffer[0..<n])
        }
    }

    init(fd: Int32) { self.fd = fd }

    static func open(_ directory: String) throws(Failure) -> Int32 {
        // O_TMPFILE (Linux; Glibc hides it from Swift without _GNU_SOURCE): __O_TMPFILE | O_DIRECTORY.
        let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY
        let fd = Glibc.open(directory, oTmpFile | O_RDWR | O_CLOEXEC, 0o600)
        if fd >= 0 { return fd }
        // File systems without O_TMPFILE: a named file, unlinked before anything is written.
        var template = Array("\(directory)/qsentry-queue.XXXXXX".utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw .write("spool in \(directory): \(String(cString: strerror(errno)))") }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return named
    }

    /// Copies the whole spool to `fd` (after `prefix`); false on a write error.
    public func copy(to out: Int32, prefix: [UInt8] = []) -> Bool {
        guard lseek(fd, 0, SEEK_SET) == 0 else { return false }
        do {
            try FileBytes.writeAll(out, prefix, path: "copy")
            try FileBytes.copy(from: fd, to: out, path: "spool")
            return true
        } catch {
            return false
        }
    }
}
