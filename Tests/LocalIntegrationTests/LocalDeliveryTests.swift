import Foundation
import Testing
import TestHarness

/// qsentry-local run exactly as qmail-local runs a `.qmail` program: its environment, the
/// message as a regular file on stdin, the home directory with a Maildir.
@Suite struct LocalDeliveryTests {
    final class Home {
        let root: TempQmailRoot
        let home: String
        var maildir: String { home + "/Maildir" }

        init(files: [String: String] = [:]) throws {
            root = try TempQmailRoot()
            home = root.path + "/home/joe"
            for d in ["tmp", "new", "cur"] {
                try FileManager.default.createDirectory(atPath: "\(home)/Maildir/\(d)", withIntermediateDirectories: true)
            }
            for (k, v) in files { try root.write(k, v) }
        }

        func environment(sender: String = "a@example.org", extra: [String: String] = [:]) -> [String: String] {
            root.environment([
                "SENDER": sender, "RECIPIENT": "joe@example.com", "USER": "joe", "HOME": home,
                "LOCAL": "joe", "HOST": "example.com", "EXT": "",
                "RPLINE": "Return-Path: <\(sender)>\n", "DTLINE": "Delivered-To: joe@example.com\n",
            ].merging(extra) { $1 })
        }

        /// `| qsentry-local ./Maildir/` run from the home directory, as qmail-local does.
        func deliver(_ message: String, sender: String = "a@example.org", arguments: [String] = ["./Maildir/"],
                     env: [String: String] = [:]) throws -> RunResult {
            let command = "cd \"$HOME\" && exec \(Run.program("qsentry-local")) " + arguments.map { "'\($0)'" }.joined(separator: " ")
            return try Run.command("/bin/sh", ["-c", command], environment: environment(sender: sender, extra: env), stdin: Data(message.utf8))
        }

        func files(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + dir)) ?? []).sorted()
        }

        /// The messages in a folder's new/ (folder "" is the inbox).
        func delivered(_ folder: String = "") -> [String] {
            let dir = folder.isEmpty ? maildir : maildir + "/" + folder
            return ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/new")) ?? []).sorted().compactMap {
                try? String(contentsOfFile: dir + "/new/" + $0, encoding: .utf8)
            }
        }

        func learnCorpus(minimum: Int = 20) throws {
            try root.write("control/qsentry/bayes-min-learned", "\(minimum)\n")
            let corpus = root.path + "/corpus"
            try BayesCorpus.write(to: corpus, spam: 25, ham: 25)
            for kind in ["spam", "ham"] {
                let r = try Run.command(Run.program("qsentry"), ["learn", "--" + kind, corpus + "/" + kind], environment: root.environment())
                #expect(r.status == 0, "\(r.output)")
            }
        }

        func write(_ relative: String, _ text: String) throws { _ = try root.write(relative, text) }
    }

    static let spam = BayesCorpus.message(spam: true, index: 900)
    static let ham = BayesCorpus.message(spam: false, index: 900)

    @Test func deliversWithQmailLinesAndSpamHeadersThenExits99() throws {
        let h = try Home()
        let message = "From: a@example.org\nSubject: hello\nX-Spam-Flag: NO\nx-spam-status: No, forged\n  continued\nTo: joe@example.com\n\nbody line\nX-Spam-Flag: in the body stays\n"
        let r = try h.deliver(message)
        #expect(r.status == 99, "\(r.output)")
        #expect(r.stderr.contains("verdict=ham") && r.stderr.contains("user=joe"), "\(r.stderr)")
        let got = h.delivered()
        #expect(got.count == 1)
        #expect(got.first == "Return-Path: <a@example.org>\nDelivered-To: joe@example.com\nX-Spam-Score: 0\n"
            + "X-Spam-Status: No, score=0 required=90 tests=BAYES_LEARNING\n"
            + "From: a@example.org\nSubject: hello\nTo: joe@example.com\n\nbody line\nX-Spam-Flag: in the body stays\n")
        #expect(h.files("tmp").isEmpty)
        // Unique names: a second delivery is a second file.
        #expect(try h.deliver(message).status == 99)
        #expect(h.delivered().count == 2)
    }

    @Test func spamIsTaggedAfterTheLearningPeriodAndHamIsNot() throws {
        let h = try Home()
        try h.learnCorpus()
        var r = try h.deliver(Self.spam)
        #expect(r.status == 99 && r.stderr.contains("verdict=spam"), "\(r.stderr)")
        let spam = h.delivered().first ?? ""
        #expect(spam.contains("\nX-Spam-Flag: YES\n") && spam.contains("X-Spam-Status: Yes, score="), "\(spam)")
        #expect(spam.contains("\nSubject: [SPAM] "), "\(spam)")
        r = try h.deliver(Self.ham)
        #expect(r.status == 99 && r.stderr.contains("verdict=ham"), "\(r.stderr)")
        #expect(h.delivered().contains { $0.contains("X-Spam-Status: No, score=") && !$0.contains("[SPAM]") })

        // Still learning (the site asks for 200 of each): no verdict, no tag.
        try h.write("control/qsentry/bayes-min-learned", "200\n")
        r = try h.deliver(Self.spam)
        #expect(r.stderr.contains("verdict=ham") && r.stderr.contains("BAYES_LEARNING"), "\(r.stderr)")
    }

    @Test func userPreferencesOverTheSite() throws {
        let h = try Home(files: ["control/qsentry/spam-action": "tag\n", "control/qsentry/spam-subject": "***SPAM***\n"])
        try h.learnCorpus()
        // The site's prefix.
        _ = try h.deliver(Self.spam)
        #expect(h.delivered().first?.contains("Subject: ***SPAM*** ") == true)

        // The user files spam into .Junk (made on first use, Maildir++ style).
        try h.write("home/joe/.qsentry/spam-action", "folder .Junk\n")
        var r = try h.deliver(Self.spam)
        #expect(r.status == 99 && r.stderr.contains("folder=.Junk"), "\(r.stderr)")
        #expect(h.delivered(".Junk").count == 1)
        #expect(FileManager.default.fileExists(atPath: h.maildir + "/.Junk/maildirfolder"))
        #expect(try h.deliver(Self.ham).status == 99)
        #expect(h.delivered().count == 2 && h.delivered(".Junk").count == 1)

        // Discard: delivered as far as qmail knows, nothing written.
        try h.write("home/joe/.qsentry/spam-action", "discard\n")
        r = try h.deliver(Self.spam)
        #expect(r.status == 99 && r.stderr.contains("verdict=discard"), "\(r.stderr)")
        #expect(h.delivered().count == 2 && h.delivered(".Junk").count == 1)

        // Bounce: exit 100 with a reason qmail-local puts in the bounce.
        try h.write("home/joe/.qsentry/spam-action", "bounce\n")
        r = try h.deliver(Self.spam)
        #expect(r.status == 100 && r.stdout.contains("looks like spam"), "\(r.output)")

        // The user's threshold: at 100 % only a perfect score is spam.
        try h.write("home/joe/.qsentry/spam-action", "tag\n")
        try h.write("home/joe/.qsentry/spam-threshold", "100\n")
        try h.write("home/joe/.qsentry/spam-subject", "none\n")
        r = try h.deliver(BayesCorpus.message(spam: true, index: 901))
        #expect(r.status == 99, "\(r.output)")
        // A broken user file is logged and the site's value used; the mail is delivered.
        try h.write("home/joe/.qsentry/spam-threshold", "lots\n")
        let before = h.delivered()
        r = try h.deliver(Self.spam)
        #expect(r.status == 99 && r.stderr.contains("warning=") && r.stderr.contains("verdict=spam"), "\(r.stderr)")
        // The new message (Maildir names do not sort by time within a second: compare with before).
        let added = h.delivered().filter { !before.contains($0) }
        #expect(added.count == 1 && added.first.map { $0.contains("X-Spam-Flag: YES") && !$0.contains("[SPAM]") } == true)
    }

    @Test func personalAllowAndBlockLists() throws {
        let h = try Home()
        try h.learnCorpus()
        try h.write("home/joe/.qsentry/allow", "deals3@promo0.example\n")
        try h.write("home/joe/.qsentry/block", "@annoying.example\n")
        var r = try h.deliver(Self.spam, sender: "deals3@promo0.example")
        #expect(r.stderr.contains("verdict=ham") && r.stderr.contains("tests=ALLOW"), "\(r.stderr)")
        r = try h.deliver(Self.ham, sender: "news@Annoying.Example")
        #expect(r.stderr.contains("verdict=spam") && r.stderr.contains("tests=BLOCK"), "\(r.stderr)")
    }

    /// A1: `qsentry explain --user --maildir` says what qsentry-local does with the same message.
    @Test func explainAgreesWithTheDelivery() throws {
        let h = try Home()
        try h.learnCorpus()
        try h.write("home/joe/.qsentry/block", "@annoying.example\n")
        try h.write("home/joe/.qsentry/spam-action", "folder .Junk\n")
        try h.write("control/rcpthosts", "example.com\n")
        try h.write("spam.eml", Self.spam)
        try h.write("ham.eml", Self.ham)
        for (sender, file, expected) in [("news@annoying.example", "ham.eml", "deliver to .Junk"), ("a@example.org", "spam.eml", "deliver to .Junk"),
                                         ("a@example.org", "ham.eml", "deliver")] {
            let e = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", sender, "--to", "joe@example.com",
                                                            "--user", "joe", "--maildir", h.maildir, h.root.path + "/" + file],
                                    environment: h.root.environment())
            #expect(e.status == 0 && e.stdout.contains("qsentry-local\n") && e.stdout.contains("= \(expected): exit 99"), "\(e.output)")
            let before = h.delivered(".Junk").count
            let r = try h.deliver(file == "spam.eml" ? Self.spam : Self.ham, sender: sender)
            #expect(r.status == 99)
            #expect(h.delivered(".Junk").count == before + (expected == "deliver to .Junk" ? 1 : 0), "\(r.stderr) vs \(e.stdout)")
        }
    }

    /// The user's own database, once past the learning period, decides over the global one.
    @Test func theUsersOwnTokensOverrideTheGlobalOnes() throws {
        let h = try Home()
        try h.learnCorpus()
        // joe wants this "spam": his database learns the spam corpus as ham and the ham as spam.
        let corpus = h.root.path + "/corpus"
        for (kind, dir) in [("ham", "spam"), ("spam", "ham")] {
            let r = try Run.command(Run.program("qsentry"), ["learn", "--" + kind, "--user", "joe", corpus + "/" + dir],
                                    environment: h.root.environment())
            #expect(r.status == 0, "\(r.output)")
        }
        var r = try h.deliver(Self.spam)
        #expect(r.stderr.contains("verdict=ham"), "\(r.stderr)")
        // Someone else (no database of their own) gets the global verdict.
        r = try h.deliver(Self.spam, arguments: ["--user", "ann", "./Maildir/"])
        #expect(r.stderr.contains("verdict=spam") && r.stderr.contains("user=ann"), "\(r.stderr)")

        // joe starts his database anew: --reset forgets it, and the global verdict is back.
        let reset = try Run.command(Run.program("qsentry"), ["learn", "--reset", "--user", "joe"], environment: h.root.environment())
        #expect(reset.status == 0 && reset.stdout.contains("forgot everything in bayes:joe"), "\(reset.output)")
        r = try h.deliver(Self.spam)
        #expect(r.stderr.contains("verdict=spam"), "\(r.stderr)")
        let mixed = try Run.command(Run.program("qsentry"), ["learn", "--reset", "--forget", "--spam", corpus + "/spam"], environment: h.root.environment())
        #expect(mixed.status != 0 && mixed.output.contains("no --forget with it"), "\(mixed.output)")
    }

    @Test func troubleIsATemporaryFailure() throws {
        let h = try Home()
        // Not run from a .qmail file.
        var r = try Run.command(Run.program("qsentry-local"), [h.maildir + "/"], environment: h.root.environment(), stdin: Data("x\n".utf8))
        #expect(r.status == 111 && r.output.contains("SENDER"), "\(r.output)")
        // Not a Maildir, a usage error, a broken site setting, a spamd setting that is no address.
        r = try h.deliver(Self.ham, arguments: ["./Mailbox/"])
        #expect(r.status == 111 && r.stdout.contains("not a Maildir"), "\(r.output)")
        r = try h.deliver(Self.ham, arguments: [])
        #expect(r.status == 111 && r.stdout.contains("usage"), "\(r.output)")
        try h.write("control/qsentry/spam-action", "shred\n")
        r = try h.deliver(Self.ham)
        #expect(r.status == 111 && r.stdout.contains("spam-action"), "\(r.output)")
        try h.write("control/qsentry/spam-action", "tag\n")
        // A virus scan that is required but cannot run.
        try h.write("control/qsentry/local-virus-scan", "1\n")
        r = try h.deliver(Self.ham)
        #expect(r.status == 111 && r.stdout.contains("clamd"), "\(r.output)")
        try h.write("control/qsentry/clamd", h.root.path + "/run/no-such-clamd.sock\n")
        r = try h.deliver(Self.ham)
        #expect(r.status == 111 && r.stdout.contains("virus scan failed"), "\(r.output)")
        #expect(h.delivered().isEmpty && h.files("tmp").isEmpty)
        // The admin's choice: deliver unscanned when the scanner is down.
        try h.write("control/qsentry/scan-failure", "accept\n")
        r = try h.deliver(Self.ham)
        #expect(r.status == 99 && r.stderr.contains("virus=failed"), "\(r.output)")
    }

    /// D4: a virus found at delivery is quarantined (never delivered); clean mail is delivered.
    @Test func virusScanAtDelivery() throws {
        let h = try Home(files: ["control/qsentry/local-virus-scan": "1\n"])
        let clamd = try Clamd(root: h.root)
        try h.write("control/qsentry/clamd", clamd.socketPath + "\n")
        var r = try h.deliver("Subject: t\n\n\(Clamd.eicar)\n")
        #expect(r.status == 99 && r.stderr.contains("verdict=quarantine") && r.stderr.contains("quarantine="), "\(r.stderr)")
        #expect(h.delivered().isEmpty)
        let list = try Run.command(Run.program("qsentry"), ["quarantine", "list"], environment: h.root.environment())
        #expect(list.stdout.contains("\tvirus\t<a@example.org>\tjoe@example.com"), "\(list.output)")
        r = try h.deliver(Self.ham)
        #expect(r.status == 99 && r.stderr.contains("virus=clean"), "\(r.stderr)")
        #expect(h.delivered().count == 1)
    }

    /// D3: spamd's opinion, on and off, against a real spamd.
    @Test func spamdSecondOpinion() throws {
        let h = try Home()
        let spamd = try Spamd(root: h.root)
        try h.write("control/qsentry/spamd", spamd.address + "\n")
        let gtube = "From: a@example.org\nTo: joe@example.com\nSubject: test\nDate: Wed, 25 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\n\n\(Spamd.gtube)\n"
        var r = try h.deliver(gtube)
        #expect(r.status == 99 && r.stderr.contains("verdict=spam") && r.stderr.contains("SPAMD_"), "\(r.stderr)")
        #expect(h.delivered().first?.contains("X-Spam-Flag: YES") == true)
        let plain = "From: a@example.org\nTo: joe@example.com\nSubject: lunch\nDate: Wed, 25 Nov 2026 10:00:00 +0000\nMessage-ID: <2@example.org>\n\nSee you at noon for lunch.\n"
        r = try h.deliver(plain)
        #expect(r.status == 99 && r.stderr.contains("verdict=ham") && r.stderr.contains("SPAMD_"), "\(r.stderr)")
        // spamd down: a second opinion only, the mail is delivered without it.
        spamd.server.stop()
        r = try h.deliver(gtube)
        #expect(r.status == 99 && r.stderr.contains("verdict=ham") && r.stderr.contains("warning=\"spamd: ") && r.stderr.contains("Connection refused"), "\(r.stderr)")
    }

    /// D5: killed at any moment, a delivery leaves nothing or the whole message in new/.
    @Test func aKillDuringDeliveryLeavesNoPartialMessage() throws {
        let h = try Home()
        let big = "Subject: big\n\n" + String(repeating: String(repeating: "x", count: 99) + "\n", count: 200_000)
        let input = h.root.path + "/big.msg"
        try big.write(toFile: input, atomically: false, encoding: .utf8)
        let expected = "Return-Path: <a@example.org>\nDelivered-To: joe@example.com\nX-Spam-Score: 0\nX-Spam-Status: No, score=0 required=90 tests=BAYES_LEARNING\n" + big
        func start() throws -> Spawned {
            try Spawned(Run.program("qsentry-local"), [h.maildir + "/"], environment: h.environment(),
                        stdin: input, stdout: h.root.logDirectory + "/local.out", stderr: h.root.logDirectory + "/local.err")
        }
        // How long a whole delivery takes here, then kills spread over that time (reading, scoring,
        // writing tmp/, linking into new/).
        let began = Date()
        let whole = try start()
        whole.wait(timeout: 60)
        let duration = Date().timeIntervalSince(began)
        #expect(whole.terminationStatus == 99 && h.delivered() == [expected])
        var killed = 0
        for step in 1...15 {
            let child = try start()
            usleep(UInt32(duration * 1_000_000 * Double(step) / 16))
            if child.isRunning { child.signal(SIGKILL); killed += 1 }
            child.wait(timeout: 10)
            for m in h.delivered() { #expect(m == expected, "a partial message in new/ (kill at \(step)/16)") }
        }
        #expect(killed > 0, "no delivery was interrupted; the test proved nothing")
    }

    /// D6: training on error from what the user moved into and out of the junk folder, once each.
    @Test func trainsOnErrorFromTheMaildirOnceEach() throws {
        let h = try Home()
        try h.learnCorpus()
        try h.write("home/joe/.qsentry/spam-action", "folder .Junk\n")
        #expect(try h.deliver(Self.spam).status == 99)
        #expect(try h.deliver(Self.ham).status == 99)
        let fm = FileManager.default
        let junkNew = h.maildir + "/.Junk/new"
        let flagged = try #require(fm.contentsOfDirectory(atPath: junkNew).first)
        let inboxHam = try #require(fm.contentsOfDirectory(atPath: h.maildir + "/new").first)
        // The user: moves the flagged one out of Junk (it was wanted), moves a missed one in, reads it.
        try fm.moveItem(atPath: junkNew + "/" + flagged, toPath: h.maildir + "/cur/" + flagged + ":2,S")
        try fm.moveItem(atPath: h.maildir + "/new/" + inboxHam, toPath: h.maildir + "/.Junk/cur/" + inboxHam + ":2,S")
        // Deleting spam is not ham: a flagged message in Trash says nothing.
        try fm.createDirectory(atPath: h.maildir + "/.Trash/cur", withIntermediateDirectories: true)
        try ("X-Spam-Flag: YES\n" + Self.spam).write(toFile: h.maildir + "/.Trash/cur/1.x:2,S", atomically: false, encoding: .utf8)

        func train() throws -> RunResult {
            try Run.command(Run.program("qsentry"), ["learn", "--from-maildir", h.maildir, "--user", "joe"], environment: h.root.environment())
        }
        var r = try train()
        #expect(r.status == 0 && r.stdout.contains("learnt 1 spam, 1 ham, forgot 0 in bayes:joe: now 1 spam, 1 ham"), "\(r.output)")
        r = try train()
        #expect(r.stdout.contains("learnt 0 spam, 0 ham, forgot 0 in bayes:joe: now 1 spam, 1 ham"), "\(r.output)")
        // Read again (new flags): still the same message, not learnt twice.
        try fm.moveItem(atPath: h.maildir + "/cur/" + flagged + ":2,S", toPath: h.maildir + "/cur/" + flagged + ":2,RS")
        r = try train()
        #expect(r.stdout.contains("learnt 0 spam, 0 ham, forgot 0"), "\(r.output)")
        // The user changes their mind: back into Junk. Our flag was right after all: the ham is forgotten.
        try fm.moveItem(atPath: h.maildir + "/cur/" + flagged + ":2,RS", toPath: h.maildir + "/.Junk/cur/" + flagged + ":2,RS")
        r = try train()
        #expect(r.stdout.contains("learnt 0 spam, 0 ham, forgot 1 in bayes:joe: now 1 spam, 0 ham"), "\(r.output)")

        // With spam tagged in the inbox (not filed), flagged inbox mail is not ham.
        try h.write("home/joe/.qsentry/spam-action", "tag\n")
        try ("X-Spam-Flag: YES\n" + Self.spam).write(toFile: h.maildir + "/cur/2.x:2,S", atomically: false, encoding: .utf8)
        r = try train()
        #expect(r.stdout.contains("no ham learnt") && r.stdout.contains("learnt 0 spam, 0 ham"), "\(r.output)")
        let bad = try Run.command(Run.program("qsentry"), ["learn", "--from-maildir", h.maildir, "--spam"], environment: h.root.environment())
        #expect(bad.status != 0 && bad.stderr.contains("--from-maildir takes no"), "\(bad.output)")
    }
}
