import Foundation
import Testing
import TestHarness
@testable import QSentryStore

/// Issue 17: the token database under a run script's softlimit, and when it cannot be opened.
@Suite struct TokenDatabaseTests {
    /// Was a double free (the environment closed in the initializer's catch and again in deinit):
    /// qsentry-queue and qsentry-local aborted instead of deferring.
    @Test func anUnopenableDatabaseThrowsAndNothingCrashes() throws {
        let root = try TempQmailRoot()
        try FileManager.default.createDirectory(atPath: root.path + "/bayes.lmdb", withIntermediateDirectories: true)
        for _ in 0..<3 {
            #expect(throws: StoreError.self) { _ = try TokenDatabase(path: root.path + "/bayes.lmdb") }
        }
    }

    /// The map is the data, not 4 GiB: a reader of a small file maps little, and a writer that
    /// fills its first map (8 MiB) grows it and keeps every record.
    @Test func theMapStartsSmallAndGrowsWithTheData() throws {
        let root = try TempQmailRoot()
        let path = root.path + "/bayes.lmdb"
        let db = try TokenDatabase(path: path)
        var deltas: [UInt64: TokenCounts] = [:]
        for i in 0..<400_000 { deltas[UInt64(i) &* 0x9E37_79B9_7F4A_7C15] = TokenCounts(spam: 1, ham: 2) }
        try db.add(namespace: 7, deltas)
        let keys = [UInt64(0), UInt64(399_999) &* 0x9E37_79B9_7F4A_7C15].sorted()
        #expect(try db.counts(namespace: 7, keys) == [TokenCounts(spam: 1, ham: 2), TokenCounts(spam: 1, ham: 2)])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 8 << 20, "the batch should have outgrown the first map")
        // A second process's view: opened afresh, it maps what was committed and reads it.
        let reader = try TokenDatabase(path: path)
        #expect(try reader.counts(namespace: 7, keys).allSatisfy { $0 == TokenCounts(spam: 1, ham: 2) })
    }
}
