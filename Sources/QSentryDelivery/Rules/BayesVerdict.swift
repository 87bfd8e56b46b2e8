import QSentryBayes
import QSentryCore
import QSentryStore

/// D1: the Bayesian score, from the global database then the user's own, which overrides it once
/// past the learning period (their mail, their judgement); a database still learning says nothing
/// (`BAYES_LEARNING`). Spam from the user's threshold. Store trouble defers the delivery.
public struct BayesVerdict: DeliveryRule {
    /// Bayes once anything was learnt (no token store yet: nothing is opened).
    public static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws {
        let url = try StoreConfiguration.configuredURL(root)
        guard try StoreConfiguration.mayHoldTokens(root, url: url) else { return }
        let store = try StoreConfiguration.open(root, url: url)
        stage.bayes = (BayesDatabase(store: store), user.isEmpty ? nil : BayesDatabase(store: store, user: user))
        stage.minimumLearned = try LearningPeriod.minimum(root)
    }

    public let name: RuleName = "bayes"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard !c.settled else { return nil }
        if let bayes = c.stage.bayes {
            do {
                let tokens = bayes.global.tokenizer.tokens(of: c.facts)
                for db in [bayes.global, bayes.user].compactMap({ $0 }) where try db.isTrained(minimum: c.stage.minimumLearned) {
                    c.tag.percent = BayesScore.percent(try db.score(tokens))
                }
            } catch {
                return .deferred(rule: name, text: "bayes: \(error)")
            }
        }
        if let percent = c.tag.percent {
            c.tag.tests.append("BAYES_\(percent)")
            // Bayes adds its opinion; it does not clear an earlier rule's (a tagged DMARC fail).
            if percent >= c.stage.preferences.thresholdPercent { c.tag.isSpam = true }
        } else {
            c.tag.tests.append("BAYES_LEARNING")
        }
        return nil
    }
}
