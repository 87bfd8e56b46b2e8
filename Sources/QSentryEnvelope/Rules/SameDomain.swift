import QSentryCore

/// E9: the sender's domain is the recipient's, from a stranger: `sender-rules`' `same-domain`.
public struct SameDomain: EnvelopeRule {
    public let name: RuleName = "same-domain"
    public init() {}
    public var senderRulesKey: String? { name.rawValue }

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "same-domain": "mail from %Domain% to %Domain% must come from your own server",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, !c.from.isNull, try c.recipientIsFiltered(),
              DomainName.normalize(c.from.domain) == DomainName.normalize(to.domain) else { return nil }
        return c.policy.apply(c.config.senderRules[name.rawValue], rule: name, c.values)
    }
}
