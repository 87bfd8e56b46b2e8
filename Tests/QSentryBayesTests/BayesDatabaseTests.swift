import Testing
import TestHarness
import QSentryBayes
import QSentryStore

/// Learning and scoring through both store back-ends: the embedded SQLite file and a real redis-server.
@Suite struct BayesDatabaseTests {
    enum Backend: String, CaseIterable { case embedded, redis }

    final class Fixture {
        let root: TempQmailRoot
        var redis: Redis?
        let store: Store
        init(_ backend: Backend) throws {
            root = try TempQmailRoot()
            if backend == .redis {
                let r = try Redis(root: root)
                redis = r
                store = try RedisStore(url: r.url, policy: StorePolicy())
            } else {
                store = try EmbeddedStore(path: root.path + "/store.sqlite", policy: StorePolicy())
            }
        }
    }

    static let spam = [
        "Subject: cheap pills\r\n\r\nBuy cheap pills online, best price, click now http://pills.spam.example/\r\n",
        "Subject: winner\r\n\r\nYou are a winner! Claim your prize now, click http://prize.spam.example/\r\n",
        "Subject: cheap watches\r\n\r\nReplica watches, best price, buy now\r\n",
    ]
    static let ham = [
        "Subject: meeting notes\r\n\r\nHere are the notes from the project meeting on the release schedule.\r\n",
        "Subject: lunch tomorrow\r\n\r\nShall we have lunch tomorrow after the project review?\r\n",
        "Subject: release\r\n\r\nThe release notes are attached; the schedule moves to Friday.\r\n",
    ]

    @Test(arguments: Backend.allCases)
    func learnsScoresAndForgets(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let db = BayesDatabase(store: f.store)
        let tok = Tokenizer()
        for m in Self.spam { try db.learn(tok.tokens(of: Array(m.utf8)[...]), as: .spam) }
        try db.learn(batch: Self.ham.map { tok.tokens(of: Array($0.utf8)[...]) }, as: .ham)
        #expect(try db.messageCounts() == TokenCounts(spam: 3, ham: 3))
        #expect(try db.isTrained(minimum: 3) && !(try db.isTrained(minimum: 4)))

        let spammy = try db.score(tok.tokens(of: Array("Subject: cheap prize\r\n\r\nclick now, best price\r\n".utf8)[...]))
        let hammy = try db.score(tok.tokens(of: Array("Subject: project\r\n\r\nnotes on the release schedule\r\n".utf8)[...]))
        #expect(spammy > 0.9, "\(spammy)")
        #expect(hammy < 0.1, "\(hammy)")
        #expect(try db.score(TokenKeys([TokenHash.key("never-seen-token")])) == 0.5)

        // A user's database is apart from the global one.
        let alice = BayesDatabase(store: f.store, user: "alice")
        #expect(try alice.messageCounts() == TokenCounts(spam: 0, ham: 0))

        // Forgetting every spam leaves no spam evidence (and no zero rows behind).
        for m in Self.spam { try db.learn(tok.tokens(of: Array(m.utf8)[...]), as: .spam, forget: true) }
        #expect(try db.messageCounts() == TokenCounts(spam: 0, ham: 3))
        #expect(try f.store.tokens("bayes", TokenKeys(["pills", "winner"].map(TokenHash.key))) == [nil, nil])
    }

    /// A database learnt before the format row (token format 1) still scores, refuses to learn
    /// more with a message naming the command that relearns it, and `reset` starts it anew in
    /// this version's format.
    @Test(arguments: Backend.allCases)
    func anOlderFormatScoresButIsRelearntNotMixed(_ backend: Backend) throws {
        let f = try Fixture(backend)
        let db = BayesDatabase(store: f.store)
        let tok = Tokenizer()
        #expect(try db.storedFormat() == 0)
        try db.learn(tok.tokens(of: Array(Self.ham[0].utf8)[...]), as: .ham)
        #expect(try db.storedFormat() == BayesDatabase.format)

        // What an older qsentry left: counts and tokens, no format row.
        let old = BayesDatabase(store: f.store, user: "old")
        var deltas: [UInt64: TokenCounts] = [TokenKey.messages: TokenCounts(spam: 3, ham: 3)]
        for m in Self.spam { for k in tok.tokens(of: Array(m.utf8)[...]).sorted { deltas[k, default: TokenCounts(spam: 0, ham: 0)].add(TokenCounts(spam: 1, ham: 0)) } }
        for m in Self.ham { for k in tok.tokens(of: Array(m.utf8)[...]).sorted { deltas[k, default: TokenCounts(spam: 0, ham: 0)].add(TokenCounts(spam: 0, ham: 1)) } }
        try f.store.addTokens(old.namespace, deltas)
        #expect(try old.storedFormat() == 1)
        #expect(try old.score(tok.tokens(of: Array("Subject: cheap prize\r\n\r\nclick now, best price\r\n".utf8)[...])) > 0.9)
        do {
            try old.learn(tok.tokens(of: Array(Self.spam[0].utf8)[...]), as: .spam)
            Issue.record("learning into a format-1 database must be refused")
        } catch let error as BayesDatabase.FormatError {
            #expect(error.description.contains("older qsentry (token format 1)"), "\(error)")
            #expect(error.description.contains("qsentry learn --reset --user old --spam"), "\(error)")
        }
        #expect(try old.messageCounts() == TokenCounts(spam: 3, ham: 3), "nothing was learnt")

        try old.reset()
        #expect(try old.storedFormat() == 0 && old.messageCounts() == TokenCounts(spam: 0, ham: 0))
        try old.learn(tok.tokens(of: Array(Self.spam[0].utf8)[...]), as: .spam)
        #expect(try old.storedFormat() == BayesDatabase.format)
        #expect(try db.messageCounts() == TokenCounts(spam: 0, ham: 1), "the global database was left alone")
    }
}
