import QSentryBayes
import QSentryCore
import QSentryStore

/// M6: refuses at DATA when the global Bayes score reaches `control/qsentry/bayes-reject` (percent),
/// once the learning period is over. Meant for the certain cases only (99 by default in the
/// examples): uncertain mail is qsentry-local's to tag. The store is opened only when a message gets
/// this far; store trouble lets the message through with a log line (like every store rule).
public struct BayesCheck: MessageCheck {
    public static func configured(_ setup: inout ContentSetup) throws -> BayesCheck? {
        let root = setup.root, store = setup.store
        guard let percent = try ControlFile.integer(root.qsentry("bayes-reject"), range: 1...100) else { return nil }
        return BayesCheck(rejectPercent: percent, minimumLearned: try LearningPeriod.minimum(root)) { try store.open() }
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("bayes-reject", .qsentry, .integer(1...100), "Bayesian score in percent from which DATA is refused (M6)"),
        .init("bayes-min-learned", .qsentry, .integer(0...1_000_000), "spam and ham messages each learnt before Bayes ControlCatalog.verdicts count; default 200 (M6, D1)"),
    ]
    public let name: RuleName = "bayes"
    let rejectPercent: Int
    let minimumLearned: Int
    let open: () throws -> Store

    public init(rejectPercent: Int, minimumLearned: Int, open: @escaping () throws -> Store) {
        self.rejectPercent = rejectPercent
        self.minimumLearned = minimumLearned
        self.open = open
    }

    public func check(_ m: ScannedMessage) -> Verdict {
        let score: Double
        do {
            let db = BayesDatabase(store: try open())
            guard try db.isTrained(minimum: minimumLearned) else { return .accept }
            score = try db.score(db.tokenizer.tokens(of: m.facts))
        } catch {
            LogLine.warning("bayes: \(error)")
            return .accept
        }
        let percent = BayesScore.percent(score)
        guard percent >= rejectPercent else { return .accept }
        return .refuse(rule: name, text: "message refused as spam (Bayesian score \(percent)%)", event: .spam)
    }
}
