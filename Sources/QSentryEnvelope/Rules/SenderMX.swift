import QSentryCore

/// E10: the sender domain must be able to take a bounce: an MX other than the null MX, or an A or
/// AAAA record (SenderDomainCheck). `sender-rules`' `sender-mx` action; DNS trouble is 451 4.4.3.
public struct SenderMX: EnvelopeRule {
    public let name: RuleName = "sender-mx"
    public init() {}
    public var senderRulesKey: String? { name.rawValue }

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "sender-mx": "sender domain %Domain% has no mail server (no MX or A record)",
            "sender-mx-temporary": "cannot look up the mail server of %Domain%; try again later",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let action = c.config.senderRules[name.rawValue], action != .accept, !c.from.isNull, let dns = c.dns else { return nil }
        let v = SenderDNS.values(c)
        guard let resolver = dns.resolver() else { return SenderDNS.configurationProblem }
        switch SenderDomainCheck(resolver: resolver).check(c.from.domain) {
        case .deliverable:
            return nil
        case .temporary:
            return .reply(SMTPReply(451, "4.4.3", c.config.messages.text("sender-mx-temporary", v)), rule: "sender-mx-temporary")
        case .noMailHost:
            return c.policy.apply(action, rule: name, v, refuse: 553, "5.1.8", defer: "4.1.8")
        }
    }
}
