import QSentryCore

/// E4: `%`, `!`, source routes and several `@` in a recipient, the old relay tricks: refused for
/// everyone but the site's own clients.
public struct RoutingTricks: EnvelopeRule {
    public let name: RuleName = "routing"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "routing": "sorry, source routes, % and ! in addresses are not accepted here",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let to = c.to, !c.session.isTrusted, to.hasRoutingTricks else { return nil }
        return c.policy.refuse(553, "5.7.1", name, c.values)
    }
}
