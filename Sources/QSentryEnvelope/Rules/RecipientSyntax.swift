import QSentryCore

/// A recipient needs a domain, but for RFC 5321 4.5.1's `<postmaster>`, which must be accepted
/// (qmail-smtpd takes it too): it ends the stage accepted.
public struct RecipientSyntax: EnvelopeRule {
    public let name: RuleName = "syntax"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, to.isNull || to.domain.isEmpty else { return nil }
        if !to.isNull && to.localPart.asciiLowercased == "postmaster" { return .accept }
        return .reply(SMTPReply(553, "5.1.3", "recipient address needs a domain"), rule: name)
    }
}
