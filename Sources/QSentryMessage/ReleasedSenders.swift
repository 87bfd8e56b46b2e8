#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// A3: the senders mailbox users allowed in the web console ("release and allow the sender"),
/// each for the user's own address only. An administrator's allow goes into `mailfromallow`,
/// which is the whole site's; a user's cannot, so it lives in the state:
/// `$QMAIL/qsentry/released-senders.cdb`, one record per pair, key `recipient SP sender`
/// lower-cased, value the time it was added. qsentry-queue's `released-senders` check lets a
/// message skip the spam rules when every recipient allowed its sender (the virus scan still
/// runs): one message, one decision, as `unfiltered` does.
public struct ReleasedSenders {
    public static let fileName = "released-senders.cdb"
    /// Pairs kept at most; past it the oldest go first.
    public static let maximum = 100_000
    /// Senders kept per recipient at most.
    public static let perRecipient = 1000
    public let path: String

    public init(path: String) { self.path = path }
    public init(root: QmailRoot) { path = root.stateDirectory + "/" + Self.fileName }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static func key(recipient: String, sender: String) -> [UInt8] {
        Array((recipient.lowercased() + " " + sender.lowercased()).utf8)
    }

    /// Whether every one of `recipients` allowed `sender`. No file: nobody allowed anyone.
    public func allowAll(sender: String, recipients: [String]) throws(Failure) -> Bool {
        guard !sender.isEmpty, !recipients.isEmpty else { return false }
        let db: CDB
        do {
            guard let present = try CDB.ifPresent(path) else { return false }
            db = present
        } catch {
            throw Failure(description: "\(error)")
        }
        do {
            for r in recipients where try db.find(Self.key(recipient: r, sender: sender)) == nil { return false }
        } catch { throw Failure(description: "\(error)") }
        return true
    }

    /// The senders `recipient` allowed, oldest first.
    public func senders(of recipient: String) throws(Failure) -> [String] {
        let prefix = recipient.lowercased() + " "
        return try pairs().filter { $0.recipient == recipient.lowercased() }.map { String($0.key.dropFirst(prefix.count)) }
    }

    /// Adds the pair; returns false when it was there already. The empty sender (bounces) is refused.
    @discardableResult
    public func add(sender: String, recipient: String, now: Int) throws(Failure) -> Bool {
        guard !sender.isEmpty, sender.utf8.count <= 320, !recipient.isEmpty, recipient.utf8.count <= 320,
              !(sender + recipient).utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw Failure(description: "not an address pair one can allow: <\(sender)> for <\(recipient)>")
        }
        var all = try pairs()
        let key = String(decoding: Self.key(recipient: recipient, sender: sender), as: UTF8.self)
        if all.contains(where: { $0.key == key }) { return false }
        all.append((key, recipient.lowercased(), now))
        // Oldest first out: a user's own beyond perRecipient, then anyone's beyond maximum.
        let mine = all.indices.filter { all[$0].recipient == recipient.lowercased() }
        if mine.count > Self.perRecipient { all.remove(at: mine[0]) }
        if all.count > Self.maximum { all.sort { $0.time < $1.time }; all.removeFirst(all.count - Self.maximum) }
        try write(all)
        return true
    }

    /// Takes the pair out; returns whether it was there.
    @discardableResult
    public func remove(sender: String, recipient: String) throws(Failure) -> Bool {
        let key = String(decoding: Self.key(recipient: recipient, sender: sender), as: UTF8.self)
        var all = try pairs()
        guard let i = all.firstIndex(where: { $0.key == key }) else { return false }
        all.remove(at: i)
        try write(all)
        return true
    }

    typealias Pair = (key: String, recipient: String, time: Int)

    func pairs() throws(Failure) -> [Pair] {
        do {
            guard let db = try CDB.ifPresent(path) else { return [] }
            return try db.records().compactMap { record -> Pair? in
                let key = String(decoding: record.key, as: UTF8.self)
                guard let space = key.firstIndex(of: " ") else { return nil }
                return (key, String(key[..<space]), Int(String(decoding: record.value, as: UTF8.self)) ?? 0)
            }
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    func write(_ all: [Pair]) throws(Failure) {
        do {
            let writer = try CDBWriter(path: path, mode: StateFiles.fileMode)
            for p in all { try writer.add(p.key, String(p.time)) }
            try writer.finish()
            StateFiles.adopt(path)
        } catch {
            throw Failure(description: "\(error)")
        }
    }
}
