#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// A3: the lists of seed 003 as the web console edits them. A save is linted exactly as
/// `qsentry check` lints the file (a bad line is reported and nothing is written), then written
/// atomically beside the old file with its owner and mode, then compiled to LIST.cdb when the
/// list has one (`qsentry cdb`), so the programs read the new list on their next connection.
public struct ListEditor {
    /// The lists the console edits, in the order its page shows them.
    public static let editable = ["ipblock", "ipallow", "mailfromblock", "mailfromallow", "rcptblock", "rcptallow", "countries",
                                  "attachments", "keywords", "keywords-allow", "honeypots", "unfiltered"]
    /// A list is at most this big through the console (the programs read up to ControlFile.maxFileBytes).
    public static let maxBytes = 1 << 20

    public struct Rejected: Error, CustomStringConvertible {
        public let problems: [ControlError]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    public struct Saved: Sendable {
        public let lines: Int
        /// The entries written to LIST.cdb, when the list has one.
        public let compiled: Int?
    }

    public let root: QmailRoot
    public init(root: QmailRoot) { self.root = root }

    public func spec(_ name: String) -> ControlFileSpec? {
        Self.editable.contains(name) ? Catalog.spec(named: name, location: .qsentry) : nil
    }

    public func path(_ name: String) -> String { root.qsentry(name) }

    /// The list's text as it is now ("" when the file does not exist).
    public func text(_ name: String) throws -> String {
        try FileBytes.readIfPresent(path(name), limit: Self.maxBytes).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// What `qsentry check` would say of `text` as the list `name`.
    public func lint(_ name: String, text: String) -> [ControlError] {
        guard let spec = spec(name) else { return [ControlError(path: path(name), "not a list the console edits")] }
        let bytes = Array(text.utf8)
        if bytes.count > Self.maxBytes { return [ControlError(path: path(name), "longer than \(Self.maxBytes) bytes")] }
        let lines: [ControlLine]
        do { lines = try ControlFile.parse(bytes, path: path(name)) } catch let e as ControlError { return [e] } catch {
            return [ControlError(path: path(name), "\(error)")]
        }
        return LineRules.check(spec.kind, lines: lines, path: path(name)) + ValueRules.check(name, lines: lines, path: path(name))
    }

    /// Lints, writes and compiles; throws `Rejected` (nothing written) for a bad line.
    public func save(_ name: String, text raw: String) throws -> Saved {
        // Browsers send CR LF from a textarea; control files are LF, with a final newline.
        var text = raw.replacingCRLF
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let problems = lint(name, text: text)
        guard problems.isEmpty, let spec = spec(name) else { throw Rejected(problems: problems) }
        try writeKeepingOwner(path(name), Array(text.utf8))
        var compiled: Int?
        if let kind = ListCompiler.kind(of: spec), FileBytes.exists(path(name) + ".cdb") {
            compiled = try ListCompiler.compile(path(name), as: kind)
        }
        return Saved(lines: text.split(separator: "\n").count, compiled: compiled)
    }

    /// Writes `bytes` to a temporary file beside `path` and renames it over, with the old file's
    /// owner, group and mode (0644 for a new file). Only root can give a file away: a file someone
    /// else owns is refused before anything is written, rather than taken over.
    func writeKeepingOwner(_ path: String, _ bytes: [UInt8]) throws {
        var old = stat()
        let exists = stat(path, &old) == 0
        let root = geteuid() == 0
        if exists && !root && old.st_uid != geteuid() {
            let owner = getpwuid(old.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(old.st_uid)"
            let me = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid \(geteuid())"
            throw ControlError(path: path, "owned by \(owner), so the console (running as \(me)) cannot replace it keeping its owner: chown \(me) \(path)")
        }
        let slash = path.lastIndex(of: "/").map { path[..<$0] } ?? "."
        let tmp = "\(slash)/.\(path.split(separator: "/").last ?? "list").web.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 { throw SystemError("open", path: tmp, errno: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            try FileBytes.writeAll(fd, bytes, path: tmp)
            if root && exists && fchown(fd, old.st_uid, old.st_gid) != 0 { throw SystemError("fchown", path: tmp, errno: errno) }
            if !root && exists && old.st_gid != getegid() { _ = fchown(fd, uid_t.max, old.st_gid) }
            if fchmod(fd, exists ? old.st_mode & 0o7777 : 0o644) != 0 { throw SystemError("fchmod", path: tmp, errno: errno) }
            if fsync(fd) != 0 { throw SystemError("fsync", path: tmp, errno: errno) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        if rename(tmp, path) != 0 { throw SystemError("rename", path: path, errno: errno) }
        ok = true
    }
}

extension String {
    var replacingCRLF: String {
        String(decoding: Array(utf8).filter { $0 != 0x0D }, as: UTF8.self)
    }
}
