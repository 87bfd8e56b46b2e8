import QSentryCore
import QSentrySPF

/// E11: SPF with libspf2 through qsentry's resolver; `control/qsentry/spf` maps each result to an
/// action (no file: not evaluated). RFC 7372's codes: 5.7.23 for a fail, 4.7.24 for a temporary
/// error. The evaluation is kept in the context for the `Received-SPF:` header.
public struct SPFRule: EnvelopeRule {
    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        guard let lines = try ControlFile.lines(root.qsentry("spf")) else { return }
        var actions: [String: VerdictAction] = [:]
        let (pairs, malformed) = ControlFile.keyValues(lines, path: root.qsentry("spf"))
        c.problems += malformed
        for pair in pairs { if let a = VerdictAction(rawValue: pair.value) { actions[pair.key] = a } }
        c.spfActions = actions
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("spf", .qsentry, .keyValue(["pass": ControlCatalog.verdicts, "neutral": ControlCatalog.verdicts, "softfail": ControlCatalog.verdicts, "fail": ControlCatalog.verdicts,
              "permerror": ControlCatalog.verdicts, "temperror": ControlCatalog.verdicts, "none": ControlCatalog.verdicts]), "action per SPF result (E11)"),
    ]
    public let name: RuleName = "spf"
    public init() {}

    /// The default text of each reply it gives, by the name `control/qsentry/messages` overrides.
    public var texts: KeyValuePairs<String, String> {
        [
            "spf-fail": "SPF: %IP% is not allowed to send mail from %Domain%",
            "spf-softfail": "SPF: %Domain% does not designate %IP% as a permitted sender",
            "spf-neutral": "SPF: %Domain% makes no statement about %IP%",
            "spf-none": "SPF: %Domain% publishes no SPF record",
            "spf-permerror": "SPF: the SPF record of %Domain% is broken",
            "spf-temperror": "SPF: temporary error evaluating %Domain%; try again later",
            "spf-pass": "SPF: %IP% is a permitted sender for %Domain%",
        ]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let actions = c.config.spfActions, let ip = c.session.ip, let dns = c.dns else { return nil }
        guard let resolver = dns.resolver() else { return SenderDNS.configurationProblem }
        let spf = SPFCheck(resolver: resolver, receiver: dns.receiver, budgetMilliseconds: resolver.deadlineMilliseconds * 2)
            .evaluate(ip: ip, helo: c.helo, sender: c.from.mailbox)
        c.spf = spf
        return c.policy.apply(actions[spf.result.rawValue], rule: "spf-" + spf.result.rawValue, SenderDNS.values(c),
                              refuse: 550, "5.7.23", defer: "4.7.24")
    }
}
