import QSentryCore
import QSentryMessage
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

