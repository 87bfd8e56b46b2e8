import QSentryCore
import QSentryStore

/// A Bayes token database in the shared store: the global one (`bayes`) or a user's
/// (`bayes:USER`). The numbers of spam and ham messages learnt are kept under the reserved key
/// `TokenKey.messages`, the format of its tokens under `TokenKey.format`.
///
/// Formats: 1, the tokens of qsentry before the format row (words, header fields, links); 2 adds
/// the Received hops and the body's opening word pairs. A format-1 database scores exactly as it
/// did (the newer tokens are simply unknown to it), but learning into it is refused, since new
/// tokens counted against old message totals would skew them: `qsentry learn --reset` starts it
/// anew.
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

    /// The format of the tokens this version learns.
    public static let format = 2

    /// A database whose format this version may not learn into.
    public struct FormatError: Error, CustomStringConvertible {
        public let namespace: String
        public let found: Int
        public init(namespace: String, found: Int) {
            self.namespace = namespace
            self.found = found
        }
        public var description: String {
            let relearn = "relearn it: qsentry learn --reset\(namespace == "bayes" ? "" : " --user " + namespace.dropFirst(6)) --spam SPAM..., then --ham HAM..."
            if found < BayesDatabase.format {
                return "\(namespace) was learnt by an older qsentry (token format \(found)): it still scores as it did, but learning into it would mix two formats; \(relearn)"
            }
            return "\(namespace) was learnt by a newer qsentry (token format \(found), this one learns \(BayesDatabase.format)); use that version, or \(relearn)"
        }
    }

    /// The token format of the database: 0 when it is empty, 1 when it predates the format row.
    public func storedFormat() throws -> Int {
        let c = try store.tokens(namespace, TokenKeys([TokenKey.messages, TokenKey.format]))
        let messages = c[0] ?? TokenCounts(spam: 0, ham: 0)
        if let f = c[1], f.spam > 0 { return f.spam }
        return messages.spam + messages.ham > 0 ? 1 : 0
    }

    /// Forgets everything this database learnt (`qsentry learn --reset`).
    public func reset() throws {
        try store.clearTokens(namespace)
    }

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
        let found = try storedFormat()
        guard found == 0 || found == Self.format else { throw FormatError(namespace: namespace, found: found) }
        let step = forget ? -1 : 1
        var deltas: [UInt64: TokenCounts] = [:]
        if found == 0 && !forget { deltas[TokenKey.format] = TokenCounts(spam: Self.format, ham: 0) }
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
