#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryMessage

/// A8: `qsentry quarantine digest` (for cron): each local recipient with mail quarantined since
/// the last run gets one summary through qmail-inject, each message with a signed one-click
/// release link that expires (ReleaseLink). Recipients outside `rcpthosts` get nothing (a digest
/// must never become backscatter), nor those who switched digests off in the console
/// (`$QMAIL/qsentry/digest-off`). The time of the last run is `$QMAIL/qsentry/digest-sent`'s
/// first line; a recipient whose digest could not be handed to qmail-inject follows as
/// `SINCE RECIPIENT`, so the next run sends them what they are owed, and nobody else twice.
public struct QuarantineDigest {
    /// Links stay good this long (the quarantine is usually expired later).
    public static let linkLifetime = 7 * 86400
    /// At most this many messages are listed in one digest (the rest are counted).
    public static let maxListed = 100

    public let root: QmailRoot
    public init(root: QmailRoot) { self.root = root }

    public var sentFile: String { root.stateDirectory + "/digest-sent" }
    public var optOutFile: String { root.stateDirectory + "/digest-off" }

    public struct Sent: Sendable {
        public var recipients: [String] = []
        public var skipped: [(String, String)] = []
        /// Recipients whose digest qmail-inject did not take: sent again next run.
        public var failed: [(String, String)] = []
    }

    /// The last run's time, and the recipients still owed a digest since an older time.
    func lastRun() -> (since: Int, owed: [String: Int]) {
        guard let bytes = try? FileBytes.read(sentFile, limit: 4 << 20) else { return (0, [:]) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        var owed: [String: Int] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let t = Int(parts[0]) { owed[String(parts[1])] = t }
        }
        return (lines.first.flatMap { Int($0.trimmed) } ?? 0, owed)
    }

    /// The addresses that switched digests off.
    public func optedOut() -> Set<String> {
        guard let bytes = try? FileBytes.read(optOutFile, limit: 4 << 20) else { return [] }
        return Set(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.lowercased() })
    }

    /// Switches `address`'s digest off or on again.
    public func setOptOut(_ address: String, _ off: Bool) throws {
        var set = optedOut()
        if off { set.insert(address.lowercased()) } else { set.remove(address.lowercased()) }
        try FileBytes.writeAtomically(optOutFile, Array(set.sorted().map { $0 + "\n" }.joined().utf8), mode: 0o660)
        StateFiles.adopt(optOutFile)
    }

    /// Sends the digests due; `now` is the time written for the next run.
    public func send(index: QuarantineIndex, now: Int) throws -> Sent {
        let base = try ControlFile.value(root.qsentry("web-url"))?.text.trimmed.withoutTrailingSlashes
        guard let base, base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ControlError(path: root.qsentry("web-url"), "missing: the digest's links need the console's address, e.g. https://mail.example.com:8025")
        }
        let key = try ReleaseLink.key(root)
        let (since, owed) = lastRun()
        let local = try LocalDomains(root)
        let off = optedOut()
        let me = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? "localhost"
        let from = "postmaster@\(me)"
        index.refresh()
        var sent = Sent()
        var stillOwed: [String: Int] = [:]
        for (recipient, all) in index.recipients(since: owed.values.reduce(since, min)).sorted(by: { $0.key < $1.key }) {
            let owedSince = owed[recipient] ?? since
            let entries = all.filter { $0.time > owedSince }
            if entries.isEmpty { continue }
            guard Self.isPlainAddress(recipient) else { sent.skipped.append((recipient, "not a plain address")); continue }
            guard let at = recipient.lastIndex(of: "@"), try local.accepts(String(recipient[recipient.index(after: at)...])) else {
                sent.skipped.append((recipient, "not a local domain")); continue
            }
            if off.contains(recipient) { sent.skipped.append((recipient, "digests off")); continue }
            let text = message(to: recipient, from: from, entries: entries, base: base, key: key, now: now)
            do {
                try inject(text, sender: from, recipient: recipient)
                sent.recipients.append(recipient)
            } catch {
                // The others still get theirs; this one is owed from the same time next run.
                sent.failed.append((recipient, "\(error)"))
                stillOwed[recipient] = owedSince
            }
        }
        let file = "\(now)\n" + stillOwed.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)\n" }.joined()
        try FileBytes.writeAtomically(sentFile, Array(file.utf8), mode: 0o660)
        StateFiles.adopt(sentFile)
        return sent
    }

    /// The digest: plain text, nothing from the quarantined mail but its sender, subject and date,
    /// each stripped to printable characters on one line.
    func message(to recipient: String, from: String, entries: [QuarantineIndex.Summary], base: String, key: [UInt8], now: Int) -> String {
        let n = entries.count
        var body = "\(n) message\(n == 1 ? "" : "s") to \(recipient) \(n == 1 ? "was" : "were") held in quarantine since the last digest.\n"
        body += "Each link below delivers that message to you; it works once, until \(LogTimestamp.format(now + Self.linkLifetime)) UTC.\n"
        body += "To see them all, or to switch these digests off, log in at \(base)/\n\n"
        for e in entries.prefix(Self.maxListed) {
            let link = ReleaseLink(id: e.id, recipient: recipient, expires: now + Self.linkLifetime)
            body += "Date:    \(LogTimestamp.format(e.time)) UTC\n"
            body += "From:    \(Self.printable(e.from.isEmpty ? "<" + e.sender + ">" : e.from))\n"
            body += "Subject: \(Self.printable(e.subject))\n"
            body += "Held by: \(Self.printable(e.rule))\n"
            body += "Release: \(base)\(link.path(key: key))\n\n"
        }
        if n > Self.maxListed { body += "… and \(n - Self.maxListed) more: see the console.\n" }
        return "From: qsentry quarantine <\(from)>\nTo: <\(recipient)>\nSubject: Quarantine: \(n) new message\(n == 1 ? "" : "s") held for you\n"
            + "Auto-Submitted: auto-generated\nPrecedence: bulk\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
            + "Content-Transfer-Encoding: 8bit\n\n" + body
    }

    func inject(_ text: String, sender: String, recipient: String) throws {
        let program = root.path + "/bin/qmail-inject"
        guard let input = PipeEnds.make() else { throw SystemError("pipe", path: program, errno: errno) }
        let pid: pid_t
        do {
            pid = try Exec.spawn([program, "-f" + sender, "--", recipient]) { actions in
                posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            }
        } catch {
            input.closeBoth()
            throw error
        }
        close(input.read)
        signal(SIGPIPE, SIG_IGN)
        let wrote = (try? FileBytes.writeAll(input.write, Array(text.utf8), path: program)) != nil
        close(input.write)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard wrote, status == 0 else {
            throw ControlError(path: program, "qmail-inject for \(recipient) failed (status \(status)); the digest is sent again next run")
        }
    }

    /// One line of printable text (no control characters: nothing can start a header line).
    static func printable(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init).prefix(200))
    }

    static func isPlainAddress(_ a: String) -> Bool {
        a.utf8.count <= 254 && a.contains("@") && a.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: ",") }
    }
}

/// The domains of `rcpthosts` and `morercpthosts.cdb`, as qmail-smtpd accepts mail for them.
struct LocalDomains {
    let rcpthosts: DomainList
    let more: CDB?

    init(_ root: QmailRoot) throws {
        rcpthosts = try DomainList.load(root.control("rcpthosts"))
        more = try CDB.ifPresent(root.control("morercpthosts.cdb"))
    }

    func accepts(_ domain: String) throws -> Bool {
        let d = DomainName.normalize(domain)
        if try rcpthosts.match(d) != nil { return true }
        guard let more else { return false }
        return try more.hasDomain(d)
    }
}
