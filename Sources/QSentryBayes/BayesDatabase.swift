import QSentryCore
import QSentryStore

/// A Bayes token database in the shared store: the global one (`bayes`) or a user's
/// (`bayes:USER`). The number of spam and ham messages learnt is kept as a reserved token
/// (no real token contains a control character).
public struct BayesDatabase {
    public let store: Store
    public let namespace: String
    public var classifier = Classifier()
    public var tokenizer = Tokenizer()

    static let messagesToken = "\u{1}messages"

    /// A name a user's database may have: it becomes part of a store key (`bayes:NAME`), so no
    /// `:` or `/`, no white space, at most 200 bytes (vpopmail's `joe@example.com` is fine).
    public static func isValidUserName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace })
    }

    public init(store: Store, user: String? = nil) {
        self.store = store
        self.namespace = user.map { "bayes:" + $0 } ?? "bayes"
    }

    public enum Kind: String, Sendable { case spam, ham }

    /// Spam and ham messages learnt so far.
    public func messageCounts() throws -> TokenCounts {
        try store.tokens(namespace, [Self.messagesToken])[Self.messagesToken] ?? TokenCounts(spam: 0, ham: 0)
    }

    /// Learns (or, with `forget`, unlearns) one message's tokens as spam or ham.
    public func learn(_ tokens: Set<String>, as kind: Kind, forget: Bool = false) throws {
        try learn(batch: [tokens], as: kind, forget: forget)
    }

    /// Learns several messages in one store round trip (what `qsentry learn` does with a folder).
    public func learn(batch: [Set<String>], as kind: Kind, forget: Bool = false) throws {
        guard !batch.isEmpty else { return }
        let step = forget ? -1 : 1
        var deltas: [String: TokenCounts] = [:]
        func bump(_ t: String) {
            var c = deltas[t] ?? TokenCounts(spam: 0, ham: 0)
            if kind == .spam { c.spam += step } else { c.ham += step }
            deltas[t] = c
        }
        for tokens in batch {
            bump(Self.messagesToken)
            for t in tokens { bump(t) }
        }
        try store.addTokens(namespace, deltas)
    }

    /// The message's score in [0, 1] from this database (0.5 when nothing is known).
    public func score(_ tokens: Set<String>) throws -> Double {
        let names = Array(tokens)
        let counts = try store.tokens(namespace, names + [Self.messagesToken])
        let messages = counts[Self.messagesToken] ?? TokenCounts(spam: 0, ham: 0)
        let probabilities = names.compactMap { name -> Double? in
            guard let c = counts[name] else { return nil }
            return classifier.probability(spam: c.spam, ham: c.ham, nSpam: messages.spam, nHam: messages.ham)
        }
        return classifier.score(probabilities)
    }

    /// Whether enough of both kinds has been learnt for scores to be acted on.
    public func isTrained(minimum: Int) throws -> Bool {
        let m = try messageCounts()
        return m.spam >= minimum && m.ham >= minimum
    }
}
