import QSentryCore

/// E9: the sender is the recipient (a forged "from yourself"): `sender-rules`' `from-equals-to`.
public struct FromEqualsTo: EnvelopeRule {
    public let name = "from-equals-to"
    public init() {}

    public func evaluate(_ c: inout EnvelopeContext) throws -> EnvelopeDecision? {
        guard let to = c.to, !c.from.isNull, try c.recipientIsFiltered(),
              c.from.mailbox.asciiLowercased == to.mailbox.asciiLowercased else { return nil }
        return c.policy.apply(c.config.senderRules[name], rule: name, c.values)
    }
}
