import Foundation
import Testing
import TestHarness

/// bench/bayes.sh works end to end (its figures are for bench/RESULTS.md, never a pass/fail
/// criterion here): a corpus the test builds, all three filters (qsentry, bogofilter, SpamAssassin's
/// Bayes), every fold classified.
@Suite struct BenchBayesTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../bench/bayes.sh").standardized.path

    @Test func crossValidatesAgainstBogofilterAndSpamAssassin() throws {
        _ = try Run.tool("bogofilter")
        _ = try Run.tool("sa-learn")
        let root = try TempQmailRoot()
        let corpus = root.path + "/corpus"
        try BayesCorpus.write(to: corpus, spam: 40, ham: 40)
        var env = root.environment()
        env["QSENTRY_BIN"] = Run.productsDirectory
        let r = try Run.command("/bin/bash", [Self.script, corpus, "4"], environment: env, timeout: 300)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("40 spam, 40 ham; 4 folds"), "\(r.output)")
        for filter in ["qsentry", "bogofilter", "spamassassin"] {
            let name = filter.padding(toLength: 12, withPad: " ", startingAt: 0)
            #expect(r.stdout.contains(name + " caught"), "\(r.output)")
            #expect(r.stdout.contains(name + " 1-ROCA% "), "\(r.output)")
        }
        #expect(r.stdout.contains("qsentry/bogofilter: learning speed"), "\(r.output)")
        #expect(r.stdout.contains("qsentry/spamassassin: learning speed"), "\(r.output)")
        // A corpus too small to split is refused with a message.
        let tiny = root.path + "/tiny"
        try BayesCorpus.write(to: tiny, spam: 3, ham: 3)
        let bad = try Run.command("/bin/bash", [Self.script, tiny], environment: env)
        #expect(bad.status != 0 && bad.stderr.contains("need at least 10"), "\(bad.output)")
    }
}
