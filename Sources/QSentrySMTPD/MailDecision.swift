import QSentryCore
import QSentryEnvelope
import QSentrySPF

/// MAIL FROM's whole decision, as qsentry-smtpd makes it and `qsentry explain` shows it: the
/// envelope policy's lists and sender rules, then, for clients neither trusted nor allow-listed,
/// the sender's DNS (sender-mx, SPF).
public enum MailDecision {
    public static func decide(_ from: SMTPPath, helo: String, _ state: SessionState, policy: EnvelopePolicy,
                              senderDNS: SenderDNSChecks) -> (decision: EnvelopeDecision, spf: SPFOutcome?) {
        var decision = policy.mailFrom(from, state)
        var spf: SPFOutcome? = nil
        // mailFrom read the allow lists already: a failure to read them has refused above.
        if decision.passes && !state.isTrusted && !((try? policy.allowListed(state, from)) ?? false) {
            let dns = senderDNS.check(from, helo: helo, state)
            spf = dns.spf
            decision = decision.then(dns.decision)
        }
        return (decision, spf)
    }
}
