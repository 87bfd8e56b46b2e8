import QSentryCore
import QSentryDNS
import QSentryEnvelope
import QSentrySPF

/// The sender checks that ask the DNS, at MAIL FROM: E10 (sender domain has MX or A) and
/// E11 (SPF). Neither opens a resolver unless its control file asks for it.
public final class SenderDNSChecks {
    let policy: EnvelopePolicy
    let root: QmailRoot
    let receiver: String
    private var resolver: Resolver?

    var config: EnvelopeConfiguration { policy.config }

    public init(policy: EnvelopePolicy, root: QmailRoot, receiver: String) {
        self.policy = policy
        self.root = root
        self.receiver = receiver
    }

    /// What the checks decided, and the SPF evaluation when there was one (for `Received-SPF:`).
    public struct Outcome {
        public var decision: EnvelopeDecision = .accept
        public var spf: SPFOutcome?
    }

    public var isConfigured: Bool { senderMXAction != nil || config.spfActions != nil }

    var senderMXAction: VerdictAction? {
        guard let a = config.senderRules["sender-mx"], a != .accept else { return nil }
        return a
    }

    func configuredResolver() throws -> Resolver {
        if let r = resolver { return r }
        let r = try Resolver.configured(root: root)
        resolver = r
        return r
    }

    public func check(_ from: SMTPPath, helo: String, _ s: SessionState) -> Outcome {
        var outcome = Outcome()
        guard isConfigured else { return outcome }
        let v = ReplyTemplate.Values(ip: s.ipText, domain: from.isNull ? helo : from.domain, emailTo: "", emailFrom: from.mailbox)
        let resolver: Resolver
        do { resolver = try configuredResolver() } catch {
            outcome.decision = .reply(SMTPReply(451, "4.3.0", "temporary DNS configuration problem; try again later"), rule: "dns-config")
            return outcome
        }
        if let action = senderMXAction, !from.isNull {
            switch SenderDomainCheck(resolver: resolver).check(from.domain) {
            case .deliverable: break
            case .temporary:
                outcome.decision = .reply(SMTPReply(451, "4.4.3", config.messages.text("sender-mx-temporary", v)),
                                          rule: "sender-mx-temporary")
                return outcome
            case .noMailHost:
                if let d = policy.apply(action, rule: "sender-mx", v, refuse: 553, "5.1.8", defer: "4.1.8") {
                    outcome.decision = d
                    if !d.passes { return outcome }
                }
            }
        }
        if let actions = config.spfActions, let ip = s.ip {
            if case .failure(let e) = LibSPF2.shared {
                // SPF then answers temperror; the admin must see why.
                var l = LogLine()
                l.add("warning", "spf: \(e)")
                l.emit()
            }
            let spf = SPFCheck(resolver: resolver, receiver: receiver, budgetMilliseconds: resolver.deadlineMilliseconds * 2)
                .evaluate(ip: ip, helo: helo, sender: from.mailbox)
            outcome.spf = spf
            // RFC 7372: 5.7.23 for a failed SPF check, 4.7.24 for a temporary SPF error.
            let rule = "spf-" + spf.result.rawValue
            if let d = policy.apply(actions[spf.result.rawValue], rule: rule, v, refuse: 550, "5.7.23", defer: "4.7.24") {
                outcome.decision = outcome.decision.then(d)
            }
        }
        return outcome
    }
}
