import QSentryBayes
import QSentryCore
import QSentryMessage
import QSentryStore

/// M8, A3: releasing a quarantined message, the one implementation behind `qsentry quarantine
/// release` and the web console's release buttons and digest links: queued through the real
/// qmail-queue (to every original recipient, or to the mailbox user's own address), then, for a
/// message refused as spam, learnt as ham by the global Bayes database: a release says the
/// filter was wrong.
public enum QuarantineRelease {
    public struct Outcome: Sendable {
        /// Where the message was learnt as ham, if it was.
        public var learntIn: String?
        /// Why it was not learnt although it should have been (released all the same).
        public var learnProblem: String?
    }

    public static func release(_ quarantine: Quarantine, id: String, root: QmailRoot, only: [String]? = nil,
                               learn: Bool = true, now: Int) throws -> Outcome {
        let entry = try quarantine.entry(id)
        // Read before the release removes it; learnt after the release succeeded.
        let message = !learn || entry.rule == "virus" ? nil : try quarantine.message(id, limit: MailSource.maxMessage)
        try quarantine.release(id, only: only, qmailQueue: QueueHandoff.program(root), now: now)
        var outcome = Outcome()
        guard let message else { return outcome }
        do {
            let db = BayesDatabase(store: try StoreConfiguration.open(root))
            try db.learn(db.tokenizer.tokens(of: message), as: .ham)
            outcome.learntIn = db.namespace
        } catch {
            // Released all the same: the message is delivered, only the lesson is lost.
            outcome.learnProblem = "\(error)"
        }
        return outcome
    }
}
