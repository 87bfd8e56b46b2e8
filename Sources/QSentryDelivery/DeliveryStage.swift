import QSentryBayes
import QSentryCore
import QSentryMIME
import QSentryScan
import QSentryStore

/// D1–D4: what happens to one message at delivery: the rules of Rules/, one file each, in a fixed
/// order (`rules`: the virus scan, D4; the user's block and allow lists; qsentry-queue's
/// Authentication-Results (M11); the earlier layers' tags;
/// Bayes, D1; spamd, D3), then the user's threshold and action (D2).
public struct DeliveryStage {
    public var preferences: DeliveryPreferences
    public var virus: (scanner: VirusScanner, acceptOnFailure: Bool)?
    public var spamd: SpamdClient?
    /// The Bayes databases (global, then the user's), or nil when no token store can exist yet.
    public var bayes: (global: BayesDatabase, user: BayesDatabase?)?
    public var minimumLearned = LearningPeriod.defaultMinimum
    /// The name spamd is told (its per-user preferences).
    public var userName = ""
    /// This host's authserv-id (`control/me`): whose Authentication-Results to believe.
    public var authservID: String?

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

    /// The delivery stage's control files: the site's preferences and each rule's.
    public static let controlFiles: [ControlFileSpec] = DeliveryPreferences.controlFiles + rules.flatMap { type(of: $0).controlFiles }

    /// The rules (Rules/), in the order they run.
    public static let rules: [DeliveryRule] = [VirusAtDelivery(), SenderLists(), AuthenticationWeight(), FuzzyMark(), SessionTags(), BayesVerdict(), SpamdOpinion()]

    /// Decides for the message open on `fd` (`size` bytes; `facts` from the MIME parser): the
    /// rules, then the user's threshold and action (D2).
    public func run(fd: Int32, size: Int, facts: MessageFacts, sender: String, log: inout LogLine) -> Outcome {
        let p = preferences
        var c = DeliveryContext(stage: self, fd: fd, size: size, facts: facts, sender: sender,
                                tag: SpamTag(isSpam: false, percent: nil, requiredPercent: p.thresholdPercent, tests: [],
                                             subjectPrefix: p.subjectPrefix),
                                log: log)
        defer { log = c.log }
        for rule in Self.rules {
            guard let v = rule.evaluate(&c) else { continue }
            switch v.action {
            case .refuse where v.event == .virus: return .virus(signature: v.text)
            case .refuse: return .bounce(text: v.text)
            case .accept, .tag: return .deliver(tag: c.tag, folder: nil)
            case .deferred: return .temporary(v.text)
            }
        }
        let tag = c.tag
        guard tag.isSpam else { return .deliver(tag: tag, folder: nil) }
        switch p.action {
        case .tag: return .deliver(tag: tag, folder: nil)
        case .folder(let f): return .deliver(tag: tag, folder: f)
        case .discard: return .discard(tag: tag)
        case .bounce:
            return .bounce(text: "Sorry, this message looks like spam to the recipient's filter (\(tag.tests.joined(with: ", "))).")
        }
    }
}
