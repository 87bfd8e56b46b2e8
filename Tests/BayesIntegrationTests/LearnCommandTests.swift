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
