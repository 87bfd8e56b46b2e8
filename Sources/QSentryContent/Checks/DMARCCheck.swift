import QSentryAuth
import QSentryCore

/// M11 at DATA: what the From: domain's DMARC policy asks for a message that fails it, as
/// `control/qsentry/dmarc` maps it (no file: recorded in Authentication-Results only). A trusted
/// forwarder's valid ARC seal that saw DMARC pass overrules a fail; `mailfromallow` senders and
/// the site's own users (SiteUsers, before this rule) are never acted on; DNS trouble accepts
/// unless `temperror=defer`.
public struct DMARCCheck: ContentCheck {
    public let name: RuleName = "dmarc"
    let settings: AuthenticationSettings

    public init(_ settings: AuthenticationSettings) { self.settings = settings }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        let results = c.authenticate()
        guard let dmarc = results.dmarc, let actions = settings.actions else {
            c.trail.append("dmarc:\(results.dmarc?.result.rawValue ?? "none")")
            return nil
        }
        c.trail.append("dmarc:\(dmarc.result.rawValue)")
        if (try? settings.allowedSenders.match(c.message.envelope.sender)) ?? nil != nil { return nil }
        switch dmarc.result {
        case .temperror:
            return settings.deferOnDNSFailure
                ? .deferred(rule: name, text: "temporary failure checking the DMARC policy of \(dmarc.fromDomain); try again later") : nil
        case .fail:
            if let arc = results.arc, arc.result == .pass, let sealer = arc.sealer, arc.sealedDMARCPass,
               (try? settings.arcTrusted.match(sealer)) ?? nil != nil {
                c.authentication?.dmarcOverride = "overruled: ARC seal of trusted forwarder \(sealer)"
                c.trail.append("arc-trusted")
                return nil
            }
            guard let policy = dmarc.policy else { return nil }
            let action = actions[policy] ?? .none
            c.authentication?.dmarcAction = action.rawValue
            let text = "message refused: \(dmarc.fromDomain) publishes a DMARC policy of \(dmarc.published?.rawValue ?? policy.rawValue), and this message is not authenticated by DKIM or SPF for it"
            switch action {
            case .refuse: return .refuse(rule: name, text: text, event: .spam)
            case .quarantine:
                c.quarantine = .refuse(rule: "dmarc-quarantine", text: text, event: .spam)
                return nil
            case .tag, .none: return nil
            }
        default:
            return nil
        }
    }
}
