#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryEnvelope
import QSentrySMTPD
import QSentryStore

/// qsentry-smtpd's decisions at MAIL FROM and at each RCPT TO, through the same policy and
/// sender checks it runs; recipients it would accept go on to the content layer.
enum EnvelopeExplainer {
    /// E19: a trusted sender's counts as the session reads them before MAIL (only read: a store not
    /// made yet holds none), so that the sending-limit steps decide as they would; nil, as in the
    /// session, when no limit applies or the store does not answer.
    static func sendingCounts(_ root: QmailRoot, _ config: EnvelopeConfiguration, _ state: SessionState,
                              _ layer: inout Explanation.Layer) -> SendingCounts? {
        guard config.sendingLimits != nil, let who = SendingLimit.sender(state) else { return nil }
        do {
            let c = try StoreConfiguration.openIfCreated(root)?.sendingCounts(who, now: Int(time(nil))) ?? SendingCounts()
            layer.steps.append(.init("sending-limit", input: who, result: "counted",
                                     detail: "this hour \(c.messagesThisHour) messages, \(c.recipientsThisHour) recipients; "
                                         + "today \(c.messagesToday) messages, \(c.recipientsToday) recipients"))
            return c
        } catch {
            layer.steps.append(.init("sending-limit", input: who, result: "skip", detail: "store: \(error)"))
            return nil
        }
    }

    static func explain(_ root: QmailRoot, ip: String, helo: String, from: String, to: [String], relayClient: Bool,
                        authUser: String?) -> (layer: Explanation.Layer, accepted: [String]) {
        var layer = Explanation.Layer(program: "qsentry-smtpd")
        let config: EnvelopeConfiguration
        do { config = try EnvelopeConfiguration.load(root) } catch {
            layer.steps.append(.init("config", input: "control/qsentry", result: "defer", detail: "\(error)"))
            layer.verdict = "defer"
            layer.reply = "421 4.3.0 temporary local problem; try again later"
            return (layer, [])
        }
        let policy = EnvelopePolicy(config: config)
        var state = SessionState(ipText: ip, relayClient: relayClient, authUser: authUser)
        if let authUser { layer.steps.append(.init("auth", input: authUser, result: "trusted", detail: "as if AUTH succeeded")) }
        let sending = sendingCounts(root, config, state, &layer)

        let sender: SMTPPath
        switch SMTPPath.parse("<" + from + ">") {
        case .success(let p): sender = p
        case .failure(let e):
            return refuse(&layer, "MAIL FROM:<\(from)>", SMTPReply(501, "5.1.7", "bad sender address: \(e)"), rule: "syntax")
        }
        let hostname = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? "qsentry-smtpd.local"
        let mail = policy.mailFrom(sender, helo: helo, state, dns: SenderDNS(root: root, receiver: hostname), sending: sending)
        let mailInput = "MAIL FROM:<\(from)>"
        let spfDetail = mail.spf.map { "spf=\($0.result.rawValue)" } ?? ""
        if let r = mail.decision.reply { return refuse(&layer, mailInput, r, rule: mail.decision.rule, spf: spfDetail) }
        layer.steps.append(.init(mail.decision.rule.isEmpty ? "sender rules" : mail.decision.rule.rawValue, input: mailInput,
                                 result: result(mail.decision), detail: spfDetail))
        var tagged = !mail.decision.rule.isEmpty
        // What qsentry-smtpd keeps as the message's tags (greylisting's only-tagged reads them).
        var taggedBefore = mail.decision.action == .tag

        var accepted: [String] = []
        var firstRefusal: SMTPReply? = nil
        for address in to {
            let input = "RCPT TO:<\(address)>"
            let recipient: SMTPPath
            switch SMTPPath.parse("<" + address + ">") {
            case .success(let p): recipient = p
            case .failure(let e):
                let r = SMTPReply(501, "5.1.3", "bad recipient address: \(e)")
                layer.steps.append(.init("syntax", input: input, result: "refuse", detail: r.description))
                firstRefusal = firstRefusal ?? r
                continue
            }
            let (d, greylist) = policy.rcptTo(recipient, from: sender, recipientsInMessage: accepted.count, state, spf: mail.spf,
                                              greylistStore: config.greylist == nil ? nil : { try DryGreylist.open(root) },
                                              sending: sending, taggedBefore: taggedBefore)
            let greylistDetail = greylist.map { "greylist=\($0.name)" } ?? ""
            if let r = d.reply {
                layer.steps.append(.init(d.rule, input: input, result: r.isTemporary ? "defer" : "refuse",
                                         detail: [greylistDetail, r.description].filter { !$0.isEmpty }.joined(separator: "; ")))
                if RecipientExists.refusedUnknown(d) { state.badRecipients += 1 }
                firstRefusal = firstRefusal ?? r
            } else {
                layer.steps.append(.init(d.rule.isEmpty ? "recipient rules" : d.rule.rawValue, input: input, result: result(d),
                                         detail: greylistDetail))
                accepted.append(recipient.mailbox)
                state.sessionRecipients += 1
                if !d.rule.isEmpty { tagged = true }
                if d.action == .tag { taggedBefore = true }
            }
        }
        if accepted.isEmpty, let r = firstRefusal {
            layer.verdict = r.isTemporary ? "defer" : "refuse"
            layer.reply = r.description
        } else {
            layer.verdict = tagged ? "tag" : "accept"
            if let r = firstRefusal { layer.reply = "some recipients refused: " + r.description }
        }
        return (layer, accepted)
    }

    static func result(_ d: Verdict) -> String { d.action == .tag ? "tag" : "accept" }

    static func refuse(_ layer: inout Explanation.Layer, _ input: String, _ r: SMTPReply, rule: RuleName,
                       spf: String = "") -> (layer: Explanation.Layer, accepted: [String]) {
        layer.steps.append(.init(rule, input: input, result: r.isTemporary ? "defer" : "refuse",
                                 detail: [spf, r.description].filter { !$0.isEmpty }.joined(separator: "; ")))
        layer.verdict = r.isTemporary ? "defer" : "refuse"
        layer.reply = r.description
        return (layer, [])
    }
}

/// Greylisting as explain asks it: the triplet's state, nothing recorded (dry), and an embedded
/// store that no program made yet is not created (an admin's explain as root must not make files
/// qmaild then cannot write): nothing is known, every triplet is new.
final class DryGreylist: GreylistStore {
    let store: Store?
    init(_ store: Store?) { self.store = store }

    static func open(_ root: QmailRoot) throws -> DryGreylist {
        DryGreylist(try StoreConfiguration.openIfCreated(root, url: try StoreConfiguration.configuredURL(root)))
    }

    func greylist(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        try greylistState(t, timing: timing, now: now)
    }

    func greylistState(_ t: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome {
        try store?.greylistState(t, timing: timing, now: now) ?? .new
    }
}
