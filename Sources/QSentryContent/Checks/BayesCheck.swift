import QSentryBayes
import QSentryCore
import QSentryStore

/// M6: refuses at DATA when the global Bayes score reaches `control/qsentry/bayes-reject` (percent),
/// once the learning period is over. Meant for the certain cases only (99 by default in the
/// examples): uncertain mail is qsentry-local's to tag. The store is opened only when a message gets
/// this far; store trouble lets the message through with a log line (like every store rule).
public struct BayesCheck: ContentCheck {
    public let name = "bayes"
    let rejectPercent: Int
    let minimumLearned: Int
    let open: () throws -> Store

    public init(rejectPercent: Int, minimumLearned: Int, open: @escaping () throws -> Store) {
        self.rejectPercent = rejectPercent
        self.minimumLearned = minimumLearned
        self.open = open
    }

    public func check(_ m: ScannedMessage) -> ContentVerdict {
        let score: Double
        do {
            let db = BayesDatabase(store: try open())
            guard try db.isTrained(minimum: minimumLearned) else { return .pass }
            score = try db.score(db.tokenizer.tokens(of: m.facts))
        } catch {
            var l = LogLine()
            l.add("warning", "bayes: \(error)")
            l.emit()
            return .pass
        }
        let percent = BayesScore.percent(score)
        guard percent >= rejectPercent else { return .pass }
        return .refuse(rule: name, text: "message refused as spam (Bayesian score \(percent)%)", event: .spam)
    }
}
