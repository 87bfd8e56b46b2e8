import QSentryCore

/// E8: the empty sender `<>` (bounces use it): refused when badmailfrom lists it, else the
/// `sender-rules` action for `empty-sender` (default accept).
public struct EmptySender: EnvelopeRule {
    public let name: RuleName = "empty-sender"
    public init() {}
    public var senderRulesKey: String? { name.rawValue }

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "empty-sender": "the empty envelope sender is refused here",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard c.from.isNull else { return nil }
        if try c.config.badmailfrom.match("") != nil { return c.policy.refuse(553, "5.7.1", "badmailfrom", c.values) }
        return c.policy.apply(c.config.senderRules[name.rawValue], rule: name, c.values)
    }
}
