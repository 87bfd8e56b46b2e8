import QSentryCore

/// C11: qsentry-conn's verdict handed over (QSENTRY_DEFER_TO_SMTPD), applied at RCPT so the envelope
/// is logged and `postmaster@` still gets through.
public struct ConnVerdict: EnvelopeRule {
    public let name: RuleName = "conn"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let conn = c.session.connVerdict, let to = c.to, to.localPart.asciiLowercased != "postmaster",
              try c.recipientIsFiltered() else { return nil }
        let reply = conn.action == .refuse ? SMTPReply(553, "5.7.1", conn.text) : SMTPReply(451, "4.7.1", conn.text)
        return .reply(reply, rule: conn.rule)
    }
}
