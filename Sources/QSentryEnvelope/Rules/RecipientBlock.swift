import QSentryCore

/// E7: `rcptblock`, qmail's badrcptto: recipients refused 553.
public struct RecipientBlock: EnvelopeRule {
    public let name = "rcptblock"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> EnvelopeDecision? {
        guard let to = c.to, try c.recipientIsFiltered(), try c.config.rcptBlock.match(to.mailbox) != nil else { return nil }
        return c.policy.refuse(553, "5.7.1", name, c.values)
    }
}
