import QSentryCore
import QSentryRecipients
import QSentrySPF

/// The envelope stage (E1–E13, C11 at RCPT, E16): the rules of Rules/, one file each, in the order
/// an admin reads them. Each decision is a reply qsentry-smtpd gives instead of passing the command
/// to qmail-smtpd, or a tag for the layers after DATA.
public struct EnvelopePolicy {
    public let config: EnvelopeConfiguration

    public init(config: EnvelopeConfiguration) { self.config = config }

    func refuse(_ code: Int, _ enhanced: String, _ rule: RuleName, _ v: ReplyTemplate.Values) -> Verdict {
        .reply(SMTPReply(code, enhanced, config.messages.text(rule, v)), rule: rule)
    }

    /// What an admin-chosen action means for a rule that matched: nil for accept (go on checking).
    public func apply(_ action: VerdictAction?, rule: RuleName, _ v: ReplyTemplate.Values,
                      refuse code: Int = 553, _ enhanced: String = "5.7.1", defer temporaryEnhanced: String = "4.7.1") -> Verdict? {
        switch action {
        case .refuse: return refuse(code, enhanced, rule, v)
        case .deferred: return .reply(SMTPReply(451, temporaryEnhanced, config.messages.text(rule, v)), rule: rule)
        case .tag: return .tag(rule: rule)
        case .accept, nil: return nil
        }
    }

    /// Senders and client addresses on the allow lists skip the filters (E13).
    /// Throws only when a compiled list (LIST.cdb) cannot be read.
    public func allowListed(_ s: SessionState, _ from: SMTPPath) throws -> Bool {
        if let ip = s.ip, try config.ipAllow.match(ip) != nil { return true }
        return try !from.isNull && config.mailfromAllow.match(from.mailbox) != nil
    }

    /// A list that cannot be read (a damaged LIST.cdb) is a temporary failure: the client retries.
    static let listUnreadable = Verdict.reply(SMTPReply(451, "4.3.0", "temporary failure reading a control file"),
                                                       rule: "list-temporary")

    /// MAIL FROM's rules, in order; the DNS ones run only with a SenderDNS.
    public static let mailRules: [EnvelopeRule] = [SendingLimit(), TrustedSender(), EmptySender(), SenderBlock(), SenderMX(), SPFRule()]
    /// RCPT TO's rules, chkuser's order: syntax tricks, relay, trust, limits, conn's verdict,
    /// honeypots, lists, sender rules, and last whether the mailbox exists.
    public static let rcptRules: [EnvelopeRule] = [
        RoutingTricks(), RecipientSyntax(), Relay(), SendingLimit(), TrustedClient(), RecipientLimit(), ConnVerdict(), Honeypot(),
        RecipientBlock(), RecipientAllow(), FromEqualsTo(), SameDomain(), RecipientExists(), Greylist(),
    ]

    /// The envelope stage's control files: each rule's, and `sender-rules` with a key for each
    /// rule whose action is chosen there.
    public static var controlFiles: [ControlFileSpec] {
        var seen = Set<String>()
        var out: [ControlFileSpec] = []
        for rule in mailRules + rcptRules {
            for spec in type(of: rule).controlFiles where seen.insert(spec.name).inserted { out.append(spec) }
        }
        let keys = (mailRules + rcptRules).compactMap(\.senderRulesKey)
        out.append(.init("sender-rules", .qsentry, .keyValue(Dictionary(uniqueKeysWithValues: keys.map { ($0, ControlCatalog.verdicts) })),
                         "sender checks, an action each: " + keys.joined(with: ", ") + " (E8, E9, E10)"))
        return out
    }

    /// The built-in text for `rule`'s reply, from the rule that gives it (E16).
    public static func defaultText(_ rule: String) -> String? {
        for r in mailRules + rcptRules {
            for (name, text) in r.texts where name == rule { return text }
        }
        return nil
    }

    /// Runs `rules` until one decides (EnvelopeRule says how); the first tag stands if none refuses.
    static func run(_ rules: [EnvelopeRule], _ c: inout EnvelopeContext) -> Verdict {
        var tagged: Verdict? = nil
        do {
            for rule in rules {
                guard let d = try rule.evaluate(&c) else { continue }
                if d.action == .tag {
                    tagged = tagged ?? d
                    c.taggedSoFar = true
                    continue
                }
                return d.action == .accept ? tagged ?? .accept : d
            }
        } catch {
            return Self.listUnreadable
        }
        return tagged ?? .accept
    }

    /// MAIL FROM's whole decision, as qsentry-smtpd makes it and `qsentry explain` shows it: the
    /// lists and sender rules, then, for clients neither trusted nor allow-listed, the sender's DNS
    /// (sender-mx, SPF) when `dns` is given; with the SPF evaluation for `Received-SPF:`.
    public func mailFrom(_ from: SMTPPath, helo: String, _ s: SessionState, dns: SenderDNS?,
                         sending: SendingCounts? = nil) -> (decision: Verdict, spf: SPFOutcome?) {
        var c = EnvelopeContext(policy: self, session: s, helo: helo, from: from, dns: dns, sending: sending)
        let d = Self.run(Self.mailRules, &c)
        return (d, c.spf)
    }

    /// MAIL FROM without the DNS rules.
    public func mailFrom(_ from: SMTPPath, _ s: SessionState) -> Verdict {
        mailFrom(from, helo: "", s, dns: nil).decision
    }

    /// RCPT TO without greylisting's store.
    public func rcptTo(_ to: SMTPPath, from: SMTPPath, recipientsInMessage: Int, _ s: SessionState) -> Verdict {
        rcptTo(to, from: from, recipientsInMessage: recipientsInMessage, s, spf: nil, greylistStore: nil).decision
    }

    /// RCPT TO's whole decision, as qsentry-smtpd makes it: with MAIL's SPF outcome and the store
    /// greylisting asks (opened only if it does), and greylisting's answer for the log line.
    /// `taggedBefore`: a rule tagged the message already, at MAIL or for an earlier recipient
    /// (greylisting's `only-tagged` counts those tags too).
    public func rcptTo(_ to: SMTPPath, from: SMTPPath, recipientsInMessage: Int, _ s: SessionState, spf: SPFOutcome?,
                       greylistStore: (() throws -> GreylistStore)?, sending: SendingCounts? = nil,
                       taggedBefore: Bool = false) -> (decision: Verdict, greylist: GreylistOutcome?) {
        var c = EnvelopeContext(policy: self, session: s, from: from, to: to, recipientsInMessage: recipientsInMessage,
                                spf: spf, greylistStore: greylistStore, sending: sending)
        c.taggedSoFar = taggedBefore
        let d = Self.run(Self.rcptRules, &c)
        return (d, c.greylist)
    }
}
