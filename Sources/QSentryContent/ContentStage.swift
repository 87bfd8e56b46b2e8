import QSentryCore

/// The content layer in rspamd's spirit: each rule a module, run in a fixed order, the first
/// that does not pass decides. Virus first (nothing bypasses it but `unfiltered`), then the
/// bypasses (the site's own users, `keywords-allow`), then the spam rules.
public struct ContentStage {
    let config: ContentConfiguration

    public init(_ config: ContentConfiguration) { self.config = config }

    public struct Outcome {
        public var verdict: Verdict
        /// Whether a virus scanner looked at the message and found it clean.
        public var scannedClean = false
        /// What happened, for the log line: rule names with pass/skip.
        public var trail: [String] = []
    }

    public func run(_ m: ScannedMessage) -> Outcome {
        var out = Outcome(verdict: .accept)
        // E13: only when every recipient is unfiltered (one message, one decision).
        do {
            if try m.envelope.recipients.allSatisfy({ try config.unfiltered.match($0) != nil }) {
                out.trail.append("unfiltered")
                return out
            }
        } catch {
            out.verdict = .deferred(rule: "list-temporary", text: "temporary failure reading a control file")
            return out
        }
        let domains = m.envelope.recipientDomains
        if let virus = config.virus, config.domainRules.enabled(virus.name.rawValue, for: domains) {
            let (verdict, clean) = virus.inspect(m)
            out.verdict = verdict
            out.scannedClean = clean
            out.trail.append("virus:\(clean ? "clean" : verdict == .accept ? "unscanned" : "hit")")
            if verdict != .accept { return out }
        }
        if m.session.trusted {
            out.trail.append("trusted")
            return out
        }
        if !config.allowPhrases.isEmpty {
            let text = KeywordText.of(m)
            if config.allowPhrases.contains(where: { text.contains($0) }) {
                out.trail.append("keywords-allow")
                return out
            }
        }
        for rule in config.rules where config.domainRules.enabled(rule.name.rawValue, for: domains) {
            let v = rule.check(m)
            out.trail.append("\(rule.name):\(v == .accept ? "pass" : "hit")")
            if v != .accept {
                out.verdict = v
                return out
            }
        }
        return out
    }
}
