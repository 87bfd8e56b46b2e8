import QSentryBayes
import QSentryCore
import QSentryMIME
import QSentryScan
import QSentryStore

/// D1–D4: what happens to one message at delivery, decided in a fixed order:
/// 1. the virus scan when `local-virus-scan` is on (D4): a virus is never delivered;
/// 2. the user's `block` list (spam) and `allow` list (ham, nothing else asked);
/// 3. Bayes (D1): the global database, then the user's own, which overrides it once it is past
///    the learning period (their mail, their judgement); a database still learning says nothing;
/// 4. spamd's opinion when configured (D3): spam if it says so, even when Bayes does not;
/// then the user's threshold and action (D2).
public struct DeliveryStage {
    public var preferences: DeliveryPreferences
    public var virus: (scanner: VirusScanner, acceptOnFailure: Bool)?
    public var spamd: SpamdClient?
    /// The Bayes databases (global, then the user's), or nil when no token store can exist yet.
    public var bayes: (global: BayesDatabase, user: BayesDatabase?)?
    public var minimumLearned = LearningPeriod.defaultMinimum
    /// The name spamd is told (its per-user preferences).
    public var userName = ""

    public init(preferences: DeliveryPreferences) { self.preferences = preferences }

    public enum Outcome: Equatable {
        /// Deliver with these headers, into the inbox (`folder` nil) or a folder.
        case deliver(tag: SpamTag, folder: String?)
        case discard(tag: SpamTag)
        case bounce(text: String)
        /// A virus: quarantine, never deliver.
        case virus(signature: String)
        /// Try again later (scanner or store down): exit 111.
        case temporary(String)
    }

    /// Decides for the message open on `fd` (`size` bytes; `facts` from the MIME parser).
    public func run(fd: Int32, size: Int, facts: MessageFacts, sender: String, log: inout LogLine) -> Outcome {
        if let (scanner, acceptOnFailure) = virus {
            switch scanner.scan(fd: fd, size: size) {
            case .clean: log.add("virus", "clean")
            case .virus(let signature): return .virus(signature: signature)
            case .failed(let why):
                log.add("virus", "failed")
                if !acceptOnFailure { return .temporary("virus scan failed: \(why)") }
            }
        }
        let p = preferences
        var tag = SpamTag(isSpam: false, percent: nil, requiredPercent: p.thresholdPercent, tests: [], subjectPrefix: p.subjectPrefix)
        let blocked: Bool, allowed: Bool
        do {
            blocked = try p.block.match(sender) != nil
            allowed = try !blocked && p.allow.match(sender) != nil
        } catch {
            return .temporary("sender lists: \(error)")
        }
        if blocked {
            tag.isSpam = true
            tag.tests = ["BLOCK"]
        } else if allowed {
            tag.tests = ["ALLOW"]
            return .deliver(tag: tag, folder: nil)
        } else {
            if let bayes {
                do {
                    let tokens = bayes.global.tokenizer.tokens(of: facts)
                    for db in [bayes.global, bayes.user].compactMap({ $0 }) where try db.isTrained(minimum: minimumLearned) {
                        tag.percent = BayesScore.percent(try db.score(tokens))
                    }
                } catch {
                    return .temporary("bayes: \(error)")
                }
            }
            if let percent = tag.percent {
                tag.tests.append("BAYES_\(percent)")
                tag.isSpam = percent >= p.thresholdPercent
            } else {
                tag.tests.append("BAYES_LEARNING")
            }
            if let spamd {
                switch spamd.check(fd: fd, size: size, user: userName) {
                case .verdict(let isSpam, let score, let required):
                    tag.tests.append("SPAMD_\(score)_\(required)")
                    if isSpam { tag.isSpam = true }
                case .skipped(let why):
                    log.add("spamd", "skipped: \(why)")
                case .failed(let why):
                    // A second opinion only: its absence holds no mail.
                    log.add("warning", why)
                }
            }
        }
        guard tag.isSpam else { return .deliver(tag: tag, folder: nil) }
        switch p.action {
        case .tag: return .deliver(tag: tag, folder: nil)
        case .folder(let f): return .deliver(tag: tag, folder: f)
        case .discard: return .discard(tag: tag)
        case .bounce:
            return .bounce(text: "Sorry, this message looks like spam to the recipient's filter (\(tag.tests.joined(separator: ", "))).")
        }
    }
}
