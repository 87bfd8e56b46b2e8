#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// D5: delivery into a Maildir the way qmail-local does it (maildir(5)): a unique name, written
/// under `tmp/`, fsynced, then linked into `new/` (link, not rename: an existing name is never
/// overwritten). A process killed at any point leaves at most a file in `tmp/`, which readers ignore
/// and clean up; `new/` only ever holds whole messages.
public struct Maildir {
    public let path: String

    public init(_ path: String) {
        self.path = path.withoutTrailingSlashes
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ what: String, _ path: String, errno e: Int32 = errno) { description = "\(path): \(what): \(String(cString: strerror(e)))" }
    }

    /// A Maildir++ folder of this Maildir (`.Junk`; the name checked by `SpamAction.folderName`).
    public func folder(_ name: String) -> Maildir { Maildir(path + "/" + name) }

    /// Whether `tmp/` and `new/` are directories (qmail-local's test before a delivery).
    public var exists: Bool { ["tmp", "new"].allSatisfy { FileBytes.type(path + "/" + $0) == S_IFDIR } }

    /// Makes a folder's directories (mode 0700) and Courier's `maildirfolder` marker when missing.
    public func create() throws(Failure) {
        for dir in [path, path + "/tmp", path + "/new", path + "/cur"] where FileBytes.type(dir) != S_IFDIR {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST { throw Failure("mkdir", dir) }
        }
        let marker = path + "/maildirfolder"
        if !FileBytes.exists(marker) {
            let fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
    }

    /// Writes one message through `write` (given the open file) and returns its name in `new/`.
    /// `write` returns false on a write error (disk full, quota): nothing is delivered then.
    public func deliver(_ write: (Int32) -> Bool) throws(Failure) -> String {
        let name = Self.uniqueName()
        let tmp = path + "/tmp/" + name
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("open", tmp) }
        var ok = write(fd)
        var e = errno
        if ok && fsync(fd) != 0 { ok = false; e = errno }
        if close(fd) != 0 && ok { ok = false; e = errno }
        guard ok else {
            unlink(tmp)
            throw Failure("write", tmp, errno: e)
        }
        let new = path + "/new/" + name
        guard link(tmp, new) == 0 else {
            let e = errno
            unlink(tmp)
            throw Failure("link", new, errno: e)
        }
        unlink(tmp)
        // The new directory entry must survive a crash too (qmail relies on the file system's
        // ordering; ext4 with data=ordered keeps it, but an fsync of the directory costs little).
        let dirfd = open(path + "/new", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 { fsync(dirfd); close(dirfd) }
        return name
    }

    /// `SECONDS.MMICROSECONDSPPID.HOST`, the modern qmail / Courier form: unique per host as long as
    /// a pid is not reused within a microsecond. `/` and `:` in the host name are escaped (maildir(5)).
    static func uniqueName() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        var h = ""
        for c in String(cString: host).unicodeScalars {
            switch c {
            case "/": h += "\\057"
            case ":": h += "\\072"
            default: h.unicodeScalars.append(c)
            }
        }
        return "\(tv.tv_sec).M\(tv.tv_usec)P\(getpid()).\(h.isEmpty ? "localhost" : h)"
    }
}
