import QSentryCore

/// E9: the sender is the recipient (a forged "from yourself"): `sender-rules`' `from-equals-to`.
public struct FromEqualsTo: EnvelopeRule {
    public let name: RuleName = "from-equals-to"
    public init() {}
    public var senderRulesKey: String? { name.rawValue }

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "from-equals-to": "sender and recipient may not be the same address",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, !c.from.isNull, try c.recipientIsFiltered(),
              c.from.mailbox.asciiLowercased == to.mailbox.asciiLowercased else { return nil }
        return c.policy.apply(c.config.senderRules[name.rawValue], rule: name, c.values)
    }
}
