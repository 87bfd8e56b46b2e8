import Foundation
import Testing
import TestHarness

/// `qsentry learn` as an administrator runs it: single files, an mbox, a Maildir, a plain directory;
/// the global and a user's database; forget; bad arguments.
@Suite struct LearnCommandTests {
    func learn(_ root: TempQmailRoot, _ args: [String]) throws -> RunResult {
        try Run.command(Run.program("qsentry"), ["learn"] + args, environment: root.environment())
    }

    func message(_ subject: String, _ body: String) -> String { "From: x@example.org\nSubject: \(subject)\n\n\(body)\n" }

    @Test func learnsFromEveryKindOfSource() throws {
        let root = try TempQmailRoot()
        // A Maildir with one message in new/ and one in cur/, and a dot file that is not a message.
        _ = try root.write("mail/Junk/new/1.host", message("cheap pills", "buy cheap pills now"))
        _ = try root.write("mail/Junk/cur/2.host:2,S", message("prize winner", "claim your prize now"))
        _ = try root.write("mail/Junk/tmp/3.host", message("half written", "not yet delivered"))
        _ = try root.write("mail/Junk/cur/.hidden", "not a message")
        // An mbox with two messages, one body line quoted mboxrd-style.
        _ = try root.write("mail/spam.mbox", """
            From spammer@example.org Tue Nov 24 10:00:00 2026
            Subject: watches

            replica watches
            >From the factory

            From other@example.org Tue Nov 24 10:01:00 2026
            Subject: loans

            instant loans approved

            """)
        var r = try learn(root, ["--spam", root.path + "/mail/Junk", root.path + "/mail/spam.mbox"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("learnt 4 spam messages in bayes: now 4 spam, 0 ham"), "\(r.output)")

        _ = try root.write("mail/ham/a", message("meeting", "notes from the project meeting"))
        _ = try root.write("mail/ham/b", message("lunch", "lunch after the project review"))
        r = try learn(root, ["--ham", root.path + "/mail/ham"])
        #expect(r.stdout.contains("learnt 2 ham messages in bayes: now 4 spam, 2 ham"), "\(r.output)")

        // A user's own database, then a forget.
        r = try learn(root, ["--ham", "--user", "alice", root.path + "/mail/ham/a"])
        #expect(r.stdout.contains("learnt 1 ham message in bayes:alice: now 0 spam, 1 ham"), "\(r.output)")
        r = try learn(root, ["--spam", "--forget", root.path + "/mail/spam.mbox"])
        #expect(r.stdout.contains("forgot 2 spam messages in bayes: now 2 spam, 2 ham"), "\(r.output)")
    }

    /// Many processes at once on the embedded token store, as deliveries and learners are on a busy
    /// server: eight learners and eight scorers together; every learn counted, every score given,
    /// and a learner killed mid-run takes nothing with it (LMDB keeps the last commit).
    @Test func concurrentLearnersAndScorersShareTheStore() throws {
        let root = try TempQmailRoot()
        for n in 0..<8 { try BayesCorpus.write(to: root.path + "/c\(n)", spam: 20, ham: 20, offset: n * 20) }
        _ = try learn(root, ["--spam", root.path + "/c0/spam"])  // the store exists before the crowd arrives
        var running: [Spawned] = []
        for n in 1..<8 {
            running.append(try Spawned(Run.program("qsentry"), ["learn", "--spam", root.path + "/c\(n)/spam"], environment: root.environment(),
                                       stdin: nil, stdout: root.path + "/learn\(n).out", stderr: root.path + "/learn\(n).err"))
            running.append(try Spawned(Run.program("qsentry"), ["score", root.path + "/c\(n)/ham"], environment: root.environment(),
                                       stdin: nil, stdout: root.path + "/score\(n).out", stderr: root.path + "/score\(n).err"))
        }
        let doomed = try Spawned(Run.program("qsentry"), ["learn", "--ham", root.path + "/c0/ham", root.path + "/c1/ham"],
                                 environment: root.environment(), stdin: nil, stdout: "/dev/null", stderr: "/dev/null")
        usleep(20_000)
        doomed.signal(SIGKILL)
        for p in running { #expect(p.wait(timeout: 60) && p.terminationStatus == 0) }
        doomed.wait(timeout: 10)
        for n in 1..<8 {
            let scores = try String(contentsOfFile: root.path + "/score\(n).out", encoding: .utf8).split(separator: "\n")
            #expect(scores.count == 20, "scorer \(n): \(scores.count) scores")
        }
        let r = try learn(root, ["--ham", root.path + "/c2/ham"])
        #expect(r.status == 0, "\(r.output)")
        // 160 spam from eight learners; ham: these 20, and the killed learner's 40 (one batch, one commit) or none of them.
        #expect(r.stdout.hasSuffix("now 160 spam, 20 ham\n") || r.stdout.hasSuffix("now 160 spam, 60 ham\n"), "\(r.output)")
    }

    @Test func badArgumentsAreRefusedWithAMessage() throws {
        let root = try TempQmailRoot()
        _ = try root.write("m", message("s", "b"))
        for args in [[root.path + "/m"], ["--spam", "--ham", root.path + "/m"], ["--spam"],
                     ["--spam", "--user", "../etc", root.path + "/m"]] {
            let r = try learn(root, args)
            #expect(r.status != 0 && r.stderr.contains("Error:"), "\(args): \(r.output)")
        }
        let score = try Run.command(Run.program("qsentry"), ["score", "--user", "../etc", root.path + "/m"], environment: root.environment())
        #expect(score.status != 0 && score.stderr.contains("not a user name"), "\(score.output)")
        let missing = try learn(root, ["--spam", root.path + "/nothing-here"])
        #expect(missing.status != 0 && missing.stderr.contains("nothing-here"), "\(missing.output)")
    }
}
