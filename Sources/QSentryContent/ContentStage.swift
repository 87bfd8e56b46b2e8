import QSentryAuth
import QSentryCore

/// The content layer in rspamd's spirit: each rule a module (Checks/), run in a fixed order, the
/// first that decides ends the stage (a bypass accepts, a refusal refuses).
public struct ContentStage {
    let config: ContentConfiguration

    public init(_ config: ContentConfiguration) { self.config = config }

    public struct Outcome {
        public var verdict: Verdict
        /// Whether a virus scanner looked at the message and found it clean.
        public var scannedClean = false
        /// What happened, for the log line: rule names with pass/skip.
        public var trail: [String] = []
        /// M11's results, for Authentication-Results (mail from outside, when M11 is on).
        public var authentication: AuthenticationResults?
        /// Accepted, but to be kept in the quarantine (DMARC's quarantine action).
        public var quarantine: Verdict?
        /// Fields the rules put on top of an accepted message.
        public var fields: [String] = []
    }

    /// The rules in order: the unfiltered bypass, the virus scan (nothing bypasses it but
    /// `unfiltered`), the site's own users, `keywords-allow` and the senders users allowed, then
    /// the spam rules.
    public var rules: [ContentCheck] {
        var out: [ContentCheck] = [UnfilteredRecipients(list: config.unfiltered)]
        if let virus = config.virus { out.append(virus) }
        out += [SiteUsers(), KeywordsAllow(phrases: config.allowPhrases)] as [ContentCheck]
        if let released = config.releasedSenders { out.append(ReleasedSenderCheck(released)) }
        if let a = config.authentication { out.append(DMARCCheck(a)) }
        out += config.rules
        // M12 last, with Bayes: both open the store, the dearest thing, and most spam is refused before.
        if let f = config.fuzzy { out.append(f) }
        return out
    }

    public func run(_ m: ScannedMessage, dryRun: Bool = false) -> Outcome {
        var c = ContentContext(message: m, authenticator: config.authentication.map(MessageAuthenticator.init))
        c.dryRun = dryRun
        var verdict = Verdict.accept
        for rule in rules where config.domainRules.enabled(rule.name.rawValue, for: c.domains) {
            if let v = rule.evaluate(&c) {
                verdict = v
                break
            }
        }
        // Mail from outside that a bypass let through still gets its Authentication-Results.
        if verdict.action == .accept || verdict.action == .tag, !m.session.trusted { _ = c.authenticate() }
        var out = Outcome(verdict: verdict)
        out.authentication = c.authentication
        out.quarantine = verdict.action == .accept || verdict.action == .tag ? c.quarantine : nil
        out.scannedClean = c.scannedClean
        out.fields = c.fields
        out.trail = c.trail
        return out
    }
}
