import Foundation
import Testing
import TestHarness

/// qsentry-queue run as qmail-smtpd runs QMAILQUEUE, with a real clamd (test signature
/// database made here), rbldnsd for URIBL, and a recording qmail-queue behind it.
@Suite struct QueueTests {
    static let eicar = Clamd.eicar
    static let clean = "From: a@example.org\r\nTo: sales@example.com\r\nSubject: hello\r\n\r\nJust a note.\r\n"

    final class Rig {
        let root: TempQmailRoot
        var clamd: Clamd?
        init(clamd withClamd: Bool = true, files: [String: String] = [:]) throws {
            root = try TempQmailRoot()
            _ = try QueueRun.recordingQueue(in: root)
            try root.write("control/me", "mx.example.com\n")
            // These tests are about the scanner and the content rules, byte for byte; M11's header
            // (and its DNS) has its own suite, AuthenticationTests.
            try root.write("control/qsentry/authentication", "off\n")
            if withClamd {
                let c = try Clamd(root: root)
                clamd = c
                try root.write("control/qsentry/clamd", c.socketPath + "\n")
            }
            for (k, v) in files { try root.write(k, v) }
        }
        func run(_ message: String, to recipients: [String] = ["sales@example.com"], env: [String: String] = [:],
                 customErrorPipe: Bool = false) throws -> QueueRun {
            try QueueRun(root: root, message: message, envelope: QueueRun.envelope("a@example.org", recipients),
                         environment: env, customErrorPipe: customErrorPipe)
        }
        var queued: [(message: String, envelope: [UInt8])] { QueueRun.queued(in: root) }
        func quarantine(_ args: [String]) throws -> RunResult {
            try Run.command(Run.program("qsentry"), ["quarantine"] + args, environment: root.environment())
        }
    }

    static func base64(_ s: String) -> String { Data(s.utf8).base64EncodedString(options: .lineLength76Characters) }

    @Test func cleanMailPassesByteForByteWithItsHeader() throws {
        let rig = try Rig()
        let r = try rig.run(Self.clean, to: ["sales@example.com", "info@example.com"])
        #expect(r.status == 0, "\(r.stderr)")
        let q = rig.queued
        #expect(q.count == 1)
        #expect(q.first?.message == "X-Virus-Scanned: ClamAV (clamd) by qsentry-queue on mx.example.com\n" + Self.clean)
        #expect(q.first?.envelope == [UInt8](QueueRun.envelope("a@example.org", ["sales@example.com", "info@example.com"])))
        #expect(r.stderr.contains("verdict=accept"), "\(r.stderr)")
        // qmail-queue ran in qsentry-queue's own process (execv, no child to wait for).
        let logged = r.stderr.split(separator: " ").first { $0.hasPrefix("pid=") }.flatMap { Int($0.dropFirst(4)) }
        #expect(logged != nil && QueueRun.queuedPIDs(in: rig.root) == [logged!], "\(r.stderr)")
        // ...and got none of qsentry-queue's descriptors (the clamd socket, the spool).
        #expect(r.leakedDescriptors == [])
    }

    /// The envelope goes to qmail-queue in a file, not a pipe: one larger than a pipe holds
    /// (64 KB) arrives whole, as does a message qmail-queue reads after it.
    @Test func aLargeEnvelopeAndMessageReachQmailQueueWhole() throws {
        let rig = try Rig(clamd: false)
        let recipients = (0..<3000).map { "recipient-number-\($0)@example.com" }
        let body = String(repeating: "a line of the message body, long enough to fill pages\r\n", count: 4000)
        let r = try rig.run(Self.clean + body, to: recipients)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rig.queued.first?.envelope == [UInt8](QueueRun.envelope("a@example.org", recipients)))
        #expect(rig.queued.first?.message == Self.clean + body)
    }

    @Test(arguments: ["plain", "multipart-base64", "forwarded"])
    func eicarIsRefusedAndQuarantined(_ shape: String) throws {
        let rig = try Rig()
        let message: String
        switch shape {
        case "plain": message = "Subject: test\r\n\r\n\(Self.eicar)\r\n"
        case "multipart-base64":
            message = "Subject: invoice\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b1\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64(Self.eicar))\r\n--b1--\r\n"
        default:
            let inner = "Subject: inner\r\nContent-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64(Self.eicar))\r\n--b2--\r\n"
            message = "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: message/rfc822\r\n\r\n\(inner)\r\n--b1--\r\n"
        }
        let r = try rig.run(message)
        #expect(r.status == 31, "\(r.stderr)")
        #expect(rig.queued.isEmpty)
        #expect(r.stderr.contains("rule=virus") && r.stderr.contains("quarantine="), "\(r.stderr)")
        let list = try rig.quarantine(["list"])
        #expect(list.stdout.contains("\tvirus\t<a@example.org>\tsales@example.com"), "\(list.output)")
        if shape == "plain" {
            // A released virus is not ham: nothing is learnt.
            let release = try rig.quarantine(["release", String(list.stdout.prefix(while: { $0 != "\t" }))])
            #expect(release.status == 0 && !release.stdout.contains("learnt"), "\(release.output)")
        }
    }

    /// Small sites and tests: libclamav in the process with the signatures in control/qsentry/clamav-db.
    @Test func inProcessLibClamAV() throws {
        let rig = try Rig(clamd: false)
        let hex = Array(Self.eicar.utf8).map { String(format: "%02x", $0) }.joined()
        _ = try rig.root.write("clamav/qsentry-test.ndb", "QSentry.Test.EICAR:0:*:\(hex)\n")
        try rig.root.write("control/qsentry/clamav-db", rig.root.path + "/clamav\n")
        let r = try rig.run("Subject: t\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\n\r\n\(Self.base64(Self.eicar))\r\n--b--\r\n")
        #expect(r.status == 31 && r.stderr.contains("rule=virus"), "\(r.stderr)")
        let clean = try rig.run(Self.clean)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(rig.queued.first?.message.hasPrefix("X-Virus-Scanned: ClamAV (libclamav)") == true)
    }

    /// The libclamav helper that cannot load its signatures is a failed scan: temporary by default,
    /// passed on with scan-failure=accept; qsentry-queue itself loads no shared library (static).
    @Test func libClamAVThatCannotLoadIsAFailedScan() throws {
        let rig = try Rig(clamd: false)
        try rig.root.write("control/qsentry/clamav-db", rig.root.path + "/no-such-database\n")
        let r = try rig.run(Self.clean)
        #expect(r.status == 71 && r.stderr.contains("no-such-database"), "\(r.stderr)")
        #expect(rig.queued.isEmpty)
        try rig.root.write("control/qsentry/scan-failure", "accept\n")
        let passed = try rig.run(Self.clean)
        #expect(passed.status == 0, "\(passed.stderr)")
        // The helper answers its one line for a file on standard input.
        let helper = try Run.command("/bin/sh", ["-c", "\"$0\" \"$1\" < /etc/hostname", Run.program("qsentry-libclamav"),
                                                 rig.root.path + "/no-such-database"])
        #expect(helper.status == 0 && helper.stdout.hasPrefix("failed ") && helper.stdout.contains("no-such-database"), "\(helper.output)")
    }

    /// notqmail's qmail-smtpd reads the refusal text from fd 6 when qmail-queue exits 82.
    @Test func refusalTextGoesToFd6WhenItIsAPipe() throws {
        let rig = try Rig()
        let r = try rig.run("Subject: t\r\n\r\n\(Self.eicar)\r\n", customErrorPipe: true)
        #expect(r.status == 82, "\(r.stderr)")
        #expect(r.customError == "Dmessage contains a virus: \(Clamd.signatureName) (#5.7.1)", "\(r.customError)")
    }

    @Test func clamdDownIsTemporaryUnlessConfiguredOtherwise() throws {
        let rig = try Rig()
        rig.clamd?.server.stop()
        let r = try rig.run(Self.clean)
        #expect(r.status == 71, "\(r.stderr)")
        #expect(rig.queued.isEmpty)
        #expect(r.stderr.contains("virus scan failed"), "\(r.stderr)")
        try rig.root.write("control/qsentry/scan-failure", "accept\n")
        let accepted = try rig.run(Self.clean)
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(rig.queued.first?.message == Self.clean, "no X-Virus-Scanned on unscanned mail")
    }

    @Test func attachmentsWithEncodedNames() throws {
        let rig = try Rig(clamd: false, files: ["control/qsentry/attachments": ".exe\n*.scr\n"])
        func message(_ disposition: String) -> String {
            "Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n\(disposition)\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQ\r\n--b--\r\n"
        }
        let rfc2231 = message("Content-Disposition: attachment; filename*=utf-8''%E2%82%ACinvoice.EXE")
        let rfc2047 = message("Content-Type: application/octet-stream; name=\"=?utf-8?b?cGhvdG8uc2Ny?=\"")
        let trailingDot = message("Content-Disposition: attachment; filename=\"setup.exe.\"")
        for m in [rfc2231, rfc2047, trailingDot] {
            let r = try rig.run(m)
            #expect(r.status == 31, "\(r.stderr)")
            #expect(r.stderr.contains("rule=attachment"), "\(r.stderr)")
        }
        #expect(try rig.run(message("Content-Disposition: attachment; filename=report.pdf")).status == 0)
    }

    @Test func keywordsSubjectSpacesAndTheAllowList() throws {
        let rig = try Rig(clamd: false, files: ["control/qsentry/keywords": "cheap   meds\n",
                                                "control/qsentry/keywords-allow": "PROJECT-X-7731\n",
                                                "control/qsentry/subject-spaces": "5\n"])
        let qp = "Subject: offer\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>CHEAP <b>M=\r\neds</b> here</p>\r\n"
        let r = try rig.run(qp)
        #expect(r.status == 31 && r.stderr.contains("rule=keyword"), "\(r.stderr)")
        let spaced = try rig.run("Subject: hello          you\r\n\r\nbody\r\n")
        #expect(spaced.status == 31 && spaced.stderr.contains("rule=subject-spaces"), "\(spaced.stderr)")
        let allowed = try rig.run("Subject: PROJECT-X-7731 cheap meds report\r\n\r\nbody\r\n")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try rig.run(Self.clean).status == 0)
    }

    @Test func uriblThroughRBLDNSD() throws {
        let rig = try Rig(clamd: false)
        let dns = try RBLDNSD(root: rig.root, zones: ["uribl.test": "spam-pills.com\n"], type: "dnset")
        try rig.root.write("control/qsentry/dnsservers", dns.address + "\n")
        try rig.root.write("control/qsentry/uribl", "uribl.test\n")
        let listed = try rig.run("Subject: s\r\nContent-Type: text/html\r\n\r\n<a href=\"https://www.Spam-Pills.com/buy\">x</a>\r\n")
        #expect(listed.status == 31 && listed.stderr.contains("rule=uribl"), "\(listed.stderr)")
        let bare = try rig.run("Subject: s\r\n\r\nvisit shop.spam-pills.com today\r\n")
        #expect(bare.status == 31, "\(bare.stderr)")
        let fine = try rig.run("Subject: s\r\n\r\nsee https://www.example.org/ and readme.txt\r\n")
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    @Test func quarantineReleaseRoundTrip() throws {
        let rig = try Rig(clamd: false, files: ["control/qsentry/keywords": "wire transfer fee\n"])
        let message = "Subject: payment\r\n\r\nPlease pay the wire transfer fee.\r\n"
        let r = try rig.run(message, to: ["sales@example.com", "info@example.com"])
        #expect(r.status == 31)
        let list = try rig.quarantine(["list"]).stdout
        let id = String(list.prefix(while: { $0 != "\t" }))
        #expect(!id.isEmpty, "\(list)")
        let show = try rig.quarantine(["show", id])
        #expect(show.stdout.contains("Rule: keyword") && show.stdout.hasSuffix(message), "\(show.output)")
        #expect(try rig.quarantine(["release", "../../etc/passwd"]).status != 0)
        let release = try rig.quarantine(["release", id])
        #expect(release.status == 0, "\(release.output)")
        // Releasing says the filter was wrong: the global Bayes database learns it as ham.
        #expect(release.stdout.contains("learnt it as ham in bayes"), "\(release.output)")
        let q = rig.queued
        #expect(q.count == 1)
        #expect(q.first?.envelope == [UInt8](QueueRun.envelope("a@example.org", ["sales@example.com", "info@example.com"])))
        #expect(q.first?.message.hasSuffix(message) == true && q.first?.message.hasPrefix("X-QSentry-Released: ") == true)
        #expect(try rig.quarantine(["list"]).stdout.isEmpty)
        // Expire removes old ones (0 days: all).
        _ = try rig.run(message)
        #expect(try rig.quarantine(["expire", "0"]).stdout.contains("expired 1 message"))
    }

    @Test func malformedEnvelopesAndTruncatedMessagesAreTemporary() throws {
        let rig = try Rig(clamd: false)
        for envelope in [Data("Fa@example.org\0Tb@example.com\0".utf8), Data("Xa\0\0".utf8), Data("Fa@example.org\0\0".utf8), Data()] {
            let r = try QueueRun(root: rig.root, message: Self.clean, envelope: envelope)
            #expect(r.status == 91, "\(r.stderr)")
        }
        #expect(rig.queued.isEmpty)
        // Broken MIME, NUL bytes and endless lines are read to the end and passed on.
        var weird = Data("Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\0\0\u{1}".utf8)
        weird += Data(repeating: 0x41, count: 300_000)
        let r = try QueueRun(root: rig.root, messageBytes: weird, envelope: QueueRun.envelope("a@b.example", ["c@d.example"]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(rig.queued.first.map { Data($0.message.utf8).count } == weird.count)
    }

    @Test func nextQueueFailureIsPassedOn() throws {
        let rig = try Rig(clamd: false)
        try rig.root.write("queue/exit", "53\n")
        #expect(try rig.run(Self.clean).status == 53)
    }

    /// Trusted senders (RELAYCLIENT, or AUTH in qsentry-smtpd's header with QSENTRY_SMTPD=1) skip the
    /// spam rules but not the virus scan; a forged header without QSENTRY_SMTPD counts for nothing.
    @Test func trustedSendersAndTheSessionHeader() throws {
        let rig = try Rig(files: ["control/qsentry/keywords": "invoice\n"])
        let spammy = "Subject: your invoice\r\n\r\nhi\r\n"
        #expect(try rig.run(spammy, env: ["RELAYCLIENT": ""]).status == 0)
        #expect(try rig.run("Subject: t\r\n\r\n\(Self.eicar)\r\n", env: ["RELAYCLIENT": ""]).status == 31)
        let withHeader = "X-QSentry-Session: ip=192.0.2.10; auth=alice\r\n" + spammy
        #expect(try rig.run(withHeader, env: ["QSENTRY_SMTPD": "1"]).status == 0)
        #expect(try rig.run(withHeader).status == 31)
    }

    @Test func unfilteredRecipientsAndPerDomainRules() throws {
        let rig = try Rig(clamd: false, files: ["control/qsentry/keywords": "invoice\n",
                                                "control/qsentry/unfiltered": "abuse@example.com\n",
                                                "control/qsentry/content-domains": "lists.example.com:keyword=no\n"])
        let spammy = "Subject: your invoice\r\n\r\nhi\r\n"
        #expect(try rig.run(spammy, to: ["abuse@example.com"]).status == 0)
        #expect(try rig.run(spammy, to: ["abuse@example.com", "sales@example.com"]).status == 31)
        #expect(try rig.run(spammy, to: ["list@lists.example.com"]).status == 0)
        #expect(try rig.run(spammy, to: ["list@lists.example.com", "sales@example.com"]).status == 31)
    }

    /// M9: a refusal is an event against the client's address (bans, reputation).
    @Test func refusalsAreStoreEvents() throws {
        let rig = try Rig()
        _ = try rig.run("Subject: t\r\n\r\n\(Self.eicar)\r\n")
        let rep = try Run.command(Run.program("qsentry"), ["reputation", "192.0.2.10"], environment: rig.root.environment())
        #expect(rep.stdout.contains("events (10 min): 1"), "\(rep.output)")
    }

    /// M6: after the learning period, a message scoring at least `bayes-reject` percent is refused
    /// and quarantined; ham passes; before the period is over nothing is refused.
    @Test func bayesRefusesCertainSpamAfterTheLearningPeriod() throws {
        let rig = try Rig(clamd: false, files: ["control/qsentry/bayes-reject": "99\n", "control/qsentry/bayes-min-learned": "30\n"])
        let corpus = rig.root.path + "/corpus"
        try BayesCorpus.write(to: corpus, spam: 20, ham: 20)
        for kind in ["spam", "ham"] {
            let r = try Run.command(Run.program("qsentry"), ["learn", "--" + kind, corpus + "/" + kind], environment: rig.root.environment())
            #expect(r.status == 0, "\(r.output)")
        }
        let spam = BayesCorpus.message(spam: true, index: 500)
        let ham = BayesCorpus.message(spam: false, index: 500)
        // 20 of each learnt, 30 needed: still learning, so nothing is refused.
        var r = try rig.run(spam)
        #expect(r.status == 0 && r.stderr.contains("bayes:pass"), "\(r.stderr)")

        try rig.root.write("control/qsentry/bayes-min-learned", "20\n")
        r = try rig.run(spam)
        #expect(r.status == 31, "\(r.stderr)")
        #expect(r.stderr.contains("rule=bayes") && r.stderr.contains("quarantine="), "\(r.stderr)")
        #expect(try rig.quarantine(["list"]).stdout.contains("\tbayes\t"))
        r = try rig.run(ham)
        #expect(r.status == 0 && r.stderr.contains("bayes:pass"), "\(r.stderr)")
        // qmail-queue, run in qsentry-queue's place, gets none of the token database's descriptors.
        #expect(r.leakedDescriptors == [])

        // A false positive released by the admin is learnt as ham (unless --no-learn).
        let ids = try rig.quarantine(["list"]).stdout.split(separator: "\n").map { String($0.prefix(while: { $0 != "\t" })) }
        let released = try rig.quarantine(["release", "--no-learn", ids[0]])
        #expect(released.status == 0 && !released.stdout.contains("learnt"), "\(released.output)")

        // The rule can be switched off per recipient domain like any content rule.
        try rig.root.write("control/qsentry/content-domains", "example.com:bayes=no\n")
        r = try rig.run(spam)
        #expect(r.status == 0 && !r.stderr.contains("bayes:"), "\(r.stderr)")
    }
}
