import QSentryCore
import QSentryMIME

/// The message as the content rules see it: spooled once (fd of a private file), read once
/// into facts, with its envelope and what qsentry-smtpd said about the session.
public struct ScannedMessage {
    /// The spool: a private, already-unlinked file holding the message exactly as received.
    public let spool: Int32
    public let size: Int
    public let facts: MessageFacts
    public let envelope: QmailEnvelope
    /// From X-QSentry-Session (believed only with QSENTRY_SMTPD=1) or the environment.
    public let session: SessionFacts

    public init(spool: Int32, size: Int, facts: MessageFacts, envelope: QmailEnvelope, session: SessionFacts) {
        self.spool = spool
        self.size = size
        self.facts = facts
        self.envelope = envelope
        self.session = session
    }
}

/// What the content layer knows about the SMTP session behind the message.
public struct SessionFacts: Equatable, Sendable {
    public var ip: String = ""
    public var authUser: String?
    /// RELAYCLIENT set or AUTH: mail from the site's own users.
    public var trusted = false
    public var tls: String?

    public init(ip: String = "", authUser: String? = nil, trusted: Bool = false, tls: String? = nil) {
        self.ip = ip
        self.authUser = authUser
        self.trusted = trusted
        self.tls = tls
    }

    /// `X-QSentry-Session: ip=…; auth=…; tls=…; …` as qsentry-smtpd writes it.
    public mutating func read(sessionField value: String) {
        for item in value.split(separator: ";") {
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "ip": ip = kv[1]
            case "auth": authUser = kv[1]; trusted = true
            case "tls": tls = kv[1]
            default: break
            }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
