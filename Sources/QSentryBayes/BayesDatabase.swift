import QSentryCore
import QSentryStore

/// A Bayes token database in the shared store: the global one (`bayes`) or a user's
/// (`bayes:USER`). The numbers of spam and ham messages learnt are kept under the reserved key
/// `TokenKey.messages`.
public struct BayesDatabase {
    public let store: TokenStore
    public let namespace: String
    public var classifier = Classifier()
    public var tokenizer = Tokenizer()

    /// A name a user's database may have: it becomes part of a store key (`bayes:NAME`), so no
    /// `:` or `/`, no white space, at most 200 bytes (vpopmail's `joe@example.com` is fine).
    public static func isValidUserName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 200 && !name.contains(where: { $0 == "/" || $0 == ":" || $0.isWhitespace })
    }

    public init(store: TokenStore, user: String? = nil) {
        self.store = store
        self.namespace = user.map { "bayes:" + $0 } ?? "bayes"
    }

    public enum Kind: String, Sendable { case spam, ham }

    /// Spam and ham messages learnt so far.
    public func messageCounts() throws -> TokenCounts {
        try store.tokens(namespace, TokenKeys([TokenKey.messages]))[0] ?? TokenCounts(spam: 0, ham: 0)
    }

    /// Learns (or, with `forget`, unlearns) one message's tokens as spam or ham.
    public func learn(_ tokens: TokenKeys, as kind: Kind, forget: Bool = false) throws {
        try learn(batch: [tokens], as: kind, forget: forget)
    }

    /// Learns several messages in one store round trip (what `qsentry learn` does with a folder).
    public func learn(batch: [TokenKeys], as kind: Kind, forget: Bool = false) throws {
        guard !batch.isEmpty else { return }
        let step = forget ? -1 : 1
        var deltas: [UInt64: TokenCounts] = [:]
        func bump(_ key: UInt64) {
            deltas[key, default: TokenCounts(spam: 0, ham: 0)].add(kind == .spam ? TokenCounts(spam: step, ham: 0) : TokenCounts(spam: 0, ham: step))
        }
        for tokens in batch {
            bump(TokenKey.messages)
            for key in tokens.sorted { bump(key) }
        }
        try store.addTokens(namespace, deltas)
    }

    /// The message's score in [0, 1] from this database (0.5 when nothing is known).
    public func score(_ tokens: TokenKeys) throws -> Double {
        // One lookup for the tokens and the message counter (key 0: first in sorted order).
        let keys = tokens.withMessages
        let counts = try store.tokens(namespace, keys)
        let messages = counts.first.flatMap { $0 } ?? TokenCounts(spam: 0, ham: 0)
        var probabilities: [Double] = []
        probabilities.reserveCapacity(keys.count)
        for c in counts.dropFirst() {
            guard let c else { continue }
            probabilities.append(classifier.probability(spam: c.spam, ham: c.ham, nSpam: messages.spam, nHam: messages.ham))
        }
        return classifier.score(probabilities)
    }

    /// Whether enough of both kinds has been learnt for scores to be acted on.
    public func isTrained(minimum: Int) throws -> Bool {
        let m = try messageCounts()
        return m.spam >= minimum && m.ham >= minimum
    }
}
