import QSentryCore
import QSentryRecipients

/// The envelope rules in the order an admin reads them (E1, E3–E9, E12, E13, C11 at RCPT, E16).
/// Each decision is a reply qsentry-smtpd gives instead of passing the command to qmail-smtpd.
public struct EnvelopePolicy {
    public let config: EnvelopeConfiguration

    public init(config: EnvelopeConfiguration) { self.config = config }

    func values(_ s: SessionState, from: SMTPPath?, to: SMTPPath? = nil) -> ReplyTemplate.Values {
        ReplyTemplate.Values(ip: s.ipText, domain: from?.domain ?? "", emailTo: to?.mailbox ?? "", emailFrom: from?.mailbox ?? "")
    }

    func refuse(_ code: Int, _ enhanced: String, _ rule: String, _ v: ReplyTemplate.Values) -> EnvelopeDecision {
        .reply(SMTPReply(code, enhanced, config.messages.text(rule, v)), rule: rule)
    }

    /// What an admin-chosen action means for a rule that matched: nil for accept (go on checking).
    public func apply(_ action: VerdictAction?, rule: String, _ v: ReplyTemplate.Values,
                      refuse code: Int = 553, _ enhanced: String = "5.7.1", defer temporaryEnhanced: String = "4.7.1") -> EnvelopeDecision? {
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
    static let listUnreadable = EnvelopeDecision.reply(SMTPReply(451, "4.3.0", "temporary failure reading a control file"),
                                                       rule: "list-temporary")

    /// MAIL FROM: sender lists (E6) and the empty sender (E8).
    public func mailFrom(_ from: SMTPPath, _ s: SessionState) -> EnvelopeDecision {
        do { return try checkMailFrom(from, s) } catch { return Self.listUnreadable }
    }

    func checkMailFrom(_ from: SMTPPath, _ s: SessionState) throws -> EnvelopeDecision {
        if try s.isTrusted || allowListed(s, from) { return .accept }
        let v = values(s, from: from)
        if from.isNull {
            if try config.badmailfrom.match("") != nil { return refuse(553, "5.7.1", "badmailfrom", v) }
            return apply(config.senderRules["empty-sender"], rule: "empty-sender", v) ?? .accept
        }
        if try config.badmailfrom.match(from.mailbox) != nil || config.mailfromBlock.match(from.mailbox) != nil
            || config.mailfromBlockDomains.match(from.domain) != nil {
            return refuse(553, "5.7.1", "badmailfrom", v)
        }
        return .accept
    }

    /// RCPT TO, chkuser's order: syntax tricks, relay, trust, conn verdict, honeypots, lists,
    /// sender rules, limits, and last whether the mailbox exists.
    public func rcptTo(_ to: SMTPPath, from: SMTPPath, recipientsInMessage: Int, _ s: SessionState) -> EnvelopeDecision {
        do { return try checkRcptTo(to, from: from, recipientsInMessage: recipientsInMessage, s) } catch { return Self.listUnreadable }
    }

    func checkRcptTo(_ to: SMTPPath, from: SMTPPath, recipientsInMessage: Int, _ s: SessionState) throws -> EnvelopeDecision {
        let v = values(s, from: from, to: to)
        if !s.isTrusted && to.hasRoutingTricks { return refuse(553, "5.7.1", "routing", v) }
        if to.isNull || to.domain.isEmpty {
            // RFC 5321 4.5.1: <postmaster> without a domain must be accepted; qmail-smtpd takes it too.
            if !to.isNull && to.localPart.asciiLowercased == "postmaster" { return .accept }
            return .reply(SMTPReply(553, "5.1.3", "recipient address needs a domain"), rule: "syntax")
        }
        let local: Bool
        do { local = try config.acceptsMail(for: to.domain) } catch {
            return .reply(SMTPReply(451, "4.3.0", "temporary failure reading morercpthosts.cdb"), rule: "relay-temporary")
        }
        if !local && !s.isTrusted { return refuse(553, "5.7.1", "relay", v) }
        if s.isTrusted { return .accept }
        if config.maxRecipientsPerMessage > 0 && recipientsInMessage >= config.maxRecipientsPerMessage
            || config.maxRecipientsPerSession > 0 && s.sessionRecipients >= config.maxRecipientsPerSession {
            return refuse(452, "4.5.3", "too-many-recipients", v)
        }
        let unfiltered = try config.unfiltered.match(to.mailbox) != nil
        // A tagging rule lets the recipient through, if it exists; the tag travels with the message.
        var tagged: EnvelopeDecision? = nil
        if try !unfiltered && !allowListed(s, from) {
            if let conn = s.connVerdict, to.localPart.asciiLowercased != "postmaster" {
                let reply = conn.action == .refuse ? SMTPReply(553, "5.7.1", conn.text) : SMTPReply(451, "4.7.1", conn.text)
                return .reply(reply, rule: conn.rule)
            }
            if try config.honeypots.match(to.mailbox) != nil {
                return .replyAndReport(SMTPReply(550, "5.1.1", config.messages.text("honeypot", v)), rule: "honeypot",
                                       event: .honeypot, disconnect: false)
            }
            if try config.rcptBlock.match(to.mailbox) != nil { return refuse(553, "5.7.1", "rcptblock", v) }
            if try !config.rcptAllow.isEmpty && config.rcptAllow.match(to.mailbox) == nil { return refuse(550, "5.7.1", "rcptallow", v) }
            if !from.isNull {
                if from.mailbox.asciiLowercased == to.mailbox.asciiLowercased,
                   let d = apply(config.senderRules["from-equals-to"], rule: "from-equals-to", v) {
                    tagged = tagged ?? d
                    if !d.passes { return d }
                }
                if DomainName.normalize(from.domain) == DomainName.normalize(to.domain),
                   let d = apply(config.senderRules["same-domain"], rule: "same-domain", v) {
                    tagged = tagged ?? d
                    if !d.passes { return d }
                }
            }
        }
        guard let recipients = config.recipients else { return tagged ?? .accept }
        switch recipients.check(local: to.localPart, domain: to.domain) {
        case .exists, .notLocal:
            return tagged ?? .accept
        case .temporary:
            return .reply(SMTPReply(451, "4.3.0", config.messages.text("recipient-temporary", v)), rule: "recipient-temporary")
        case .unknown:
            let bad = s.badRecipients + 1
            if config.badRecipientLimit > 0 && bad > config.badRecipientLimit {
                return .replyAndReport(SMTPReply(421, "4.7.0", config.messages.text("bad-recipients", v)), rule: "bad-recipients",
                                       event: .badRecipient, disconnect: true)
            }
            return .reply(SMTPReply(550, "5.1.1", config.messages.text("unknown-recipient", v)), rule: "unknown-recipient")
        }
    }
}
