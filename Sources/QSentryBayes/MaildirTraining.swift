#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// D6: training on error from what a user did with their mail (`qsentry learn --from-maildir`):
/// - a message in the junk folder that qsentry-local did not flag (`X-Spam-Flag: YES`) was moved
///   there by the user: spam we missed;
/// - a flagged message anywhere else (the inbox, other folders; not Trash) was moved out of the
///   junk folder: ham we took for spam. Only when spam is filed into the junk folder (with
///   `tag`, flagged spam stays in the inbox and says nothing).
/// Each message is learnt once: the Maildir keeps `qsentry-learnt` (unique name, kind). A message
/// learnt one way and later moved back is forgotten (and learnt the other way if that is an error too).
public struct MaildirTraining {
    public let maildir: String
    public let junk: String
    /// Whether flagged messages outside the junk folder are ham (spam is filed into `junk`).
    public let learnHam: Bool

    public init(maildir: String, junk: String, learnHam: Bool) {
        self.maildir = maildir.withoutTrailingSlashes
        self.junk = junk
        self.learnHam = learnHam
    }

    public var stateFile: String { maildir + "/qsentry-learnt" }

    /// What to do: files to learn as each kind, and messages to forget first (learnt the other way).
    public struct Plan {
        public var learn: [(file: String, name: String, kind: BayesDatabase.Kind)] = []
        public var forget: [(file: String, kind: BayesDatabase.Kind)] = []
        public var state: [String: BayesDatabase.Kind] = [:]
    }

    public func plan() throws -> Plan {
        var plan = Plan()
        plan.state = try readState()
        for folder in try folders() {
            let isJunk = folder == junk
            if !isJunk && !learnHam { continue }
            for sub in ["new", "cur"] {
                let dir = (folder.isEmpty ? maildir : maildir + "/" + folder) + "/" + sub
                guard let names = try? Directory.names(dir) else { continue }
                for fileName in names where !fileName.hasPrefix(".") {
                    let file = dir + "/" + fileName
                    let flagged = Self.isFlagged(file)
                    // Our verdict was wrong (learn the user's), or right (nothing, or undo an earlier
                    // learning the user has taken back by moving the message again).
                    let kind: BayesDatabase.Kind? = isJunk && !flagged ? .spam : !isJunk && flagged ? .ham : nil
                    // The unique part of a Maildir name: flags after ':' change as the user reads.
                    let name = String(fileName.prefix { $0 != ":" })
                    let before = plan.state[name]
                    if before == kind { continue }
                    if let before { plan.forget.append((file, before)) }
                    if let kind { plan.learn.append((file, name, kind)) } else { plan.state[name] = nil }
                }
            }
        }
        return plan
    }

    /// The inbox ("") and every Maildir++ folder but Trash-like ones (deleting spam is not ham).
    func folders() throws -> [String] {
        var out = [""]
        for name in try Directory.names(maildir) where name.hasPrefix(".") && name.count > 1 {
            let lower = name.lowercased()
            if lower.contains("trash") || lower.contains("deleted") { continue }
            if name != junk && name.hasPrefix(junk + ".") { continue }
            out.append(name)
        }
        return out
    }

    /// Whether the header of `file` has `X-Spam-Flag: YES` (qsentry-local's, as it drops foreign ones).
    static func isFlagged(_ file: String) -> Bool {
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        for line in buf[0..<n].split(separator: 10, omittingEmptySubsequences: false) {
            if line.isEmpty || line == [13] { break }
            let text = String(decoding: line, as: UTF8.self).lowercased()
            if text.hasPrefix("x-spam-flag:") { return text.dropFirst(12).trimmed == "yes" }
        }
        return false
    }

    func readState() throws -> [String: BayesDatabase.Kind] {
        guard let bytes = try FileBytes.readIfPresent(stateFile, limit: 256 << 20) else { return [:] }
        var state: [String: BayesDatabase.Kind] = [:]
        for line in bytes.split(separator: 10) {
            let parts = line.split(separator: 32)
            guard parts.count == 2, let kind = BayesDatabase.Kind(rawValue: String(decoding: parts[1], as: UTF8.self)) else { continue }
            state[String(decoding: parts[0], as: UTF8.self)] = kind
        }
        return state
    }

    /// Saves what has been learnt (atomically: an interrupted run keeps the old state).
    public func save(_ state: [String: BayesDatabase.Kind]) throws {
        let text = state.keys.sorted().map { "\($0) \(state[$0]!.rawValue)\n" }.joined()
        try FileBytes.writeAtomically(stateFile, Array(text.utf8), mode: 0o600)
        // Learnt by root (a nightly cron), the file still belongs to the Maildir's user, whose own
        // `qsentry learn --from-maildir` must be able to replace it.
        var dir = stat()
        if geteuid() == 0 && stat(maildir, &dir) == 0 { _ = chown(stateFile, dir.st_uid, dir.st_gid) }
    }
}
