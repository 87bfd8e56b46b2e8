import QSentryCore

/// E12: a honeypot recipient: refused 550, and the client reported (a honeypot event counts
/// towards a ban, C7, and shared reputation, C8).
public struct Honeypot: EnvelopeRule {
    public let name = "honeypot"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> EnvelopeDecision? {
        guard let to = c.to, try c.recipientIsFiltered(), try c.config.honeypots.match(to.mailbox) != nil else { return nil }
        return .replyAndReport(SMTPReply(550, "5.1.1", c.config.messages.text(name, c.values)), rule: name,
                               event: .honeypot, disconnect: false)
    }
}
