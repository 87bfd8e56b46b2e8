import Foundation
import Testing
@testable import QSentryDelivery
import QSentryCore
import QSentryMIME

@Suite struct SpamActionTests {
    @Test func parsesEveryActionAndRefusesPathTricks() {
        #expect(SpamAction.parse("tag") == .tag)
        #expect(SpamAction.parse("Discard") == .discard)
        #expect(SpamAction.parse("bounce") == .bounce)
        #expect(SpamAction.parse("folder") == .folder(".Junk"))
        #expect(SpamAction.parse("folder Spam") == .folder(".Spam"))
        #expect(SpamAction.parse("folder .Archive.Spam") == .folder(".Archive.Spam"))
        for bad in ["shred", "folder ../../etc", "folder .a/b", "folder ..", "folder .", "folder .a..b", "tag now", ""] {
            #expect(SpamAction.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func userDirectoryIsBesideTheMaildir() {
        #expect(DeliveryPreferences.userDirectory(forMaildir: "./Maildir/") == "./.qsentry")
        #expect(DeliveryPreferences.userDirectory(forMaildir: "/home/joe/Maildir") == "/home/joe/.qsentry")
        #expect(DeliveryPreferences.userDirectory(forMaildir: "Maildir/") == ".qsentry")
        #expect(DeliveryPreferences.userDirectory(forMaildir: "/Maildir/") == "/.qsentry")
    }
}

@Suite struct SpamdReplyTests {
    @Test func readsTheSpamLine() {
        #expect(SpamdClient.interpret("SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: True ; 1005.2 / 5.0\r\n\r\n")
            == .verdict(isSpam: true, score: 1005.2, required: 5.0))
        #expect(SpamdClient.interpret("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.1 / 5.0\r\n\r\n")
            == .verdict(isSpam: false, score: -0.1, required: 5.0))
    }

    @Test func anythingElseIsAFailure() {
        for reply in ["", "HTTP/1.0 200 OK\r\n\r\n", "SPAMD/1.1 76 Bad header line\r\n\r\n", "SPAMD/1.1 0 EX_OK\r\n\r\n",
                      "SPAMD/1.1 0 EX_OK\r\nSpam: maybe ; 1 / 5\r\n\r\n", "SPAMD/1.1 0 EX_OK\r\nSpam: True ; lots / 5\r\n\r\n"] {
            guard case .failed = SpamdClient.interpret(reply) else { Issue.record("accepted \(reply.debugDescription)"); continue }
        }
    }
}

@Suite struct TaggedCopyTests {
    func copy(_ message: String, spam: Bool, prefix: String? = "[SPAM]") throws -> String {
        let dir = FileManager.default.temporaryDirectory.path
        let input = dir + "/tagged-in-\(UUID().uuidString)", output = dir + "/tagged-out-\(UUID().uuidString)"
        defer { unlink(input); unlink(output) }
        try message.write(toFile: input, atomically: false, encoding: .utf8)
        let tag = SpamTag(isSpam: spam, percent: spam ? 99 : 1, requiredPercent: 90, tests: ["BAYES"], subjectPrefix: prefix)
        let i = open(input, O_RDONLY), o = open(output, O_WRONLY | O_CREAT, 0o600)
        defer { close(i); close(o) }
        #expect(TaggedCopy(returnPath: "", deliveredTo: "", tag: tag).copy(from: i, to: o))
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    static let spamHead = "X-Spam-Flag: YES\nX-Spam-Score: 99\nX-Spam-Status: Yes, score=99 required=90 tests=BAYES\n"

    @Test func prefixesTheSubjectOnce() throws {
        #expect(try copy("Subject: hi\n\nb\n", spam: true) == Self.spamHead + "Subject: [SPAM] hi\n\nb\n")
        #expect(try copy("subject:hi\n\nb\n", spam: true) == Self.spamHead + "subject: [SPAM] hi\n\nb\n")
        #expect(try copy("Subject: [SPAM] hi\n\nb\n", spam: true) == Self.spamHead + "Subject: [SPAM] hi\n\nb\n")
        #expect(try copy("Subject: hi\r\n\r\nb\r\n", spam: true) == Self.spamHead + "Subject: [SPAM] hi\r\n\r\nb\r\n")
        #expect(try copy("Subject: hi\n\nb\n", spam: true, prefix: nil) == Self.spamHead + "Subject: hi\n\nb\n")
    }

    @Test func addsASubjectWhenThereIsNone() throws {
        #expect(try copy("From: a\n\nb\n", spam: true) == Self.spamHead + "From: a\nSubject: [SPAM]\n\nb\n")
        #expect(try copy("From: a\n", spam: true) == Self.spamHead + "From: a\nSubject: [SPAM]\n")
        #expect(try copy("From: a", spam: true) == Self.spamHead + "From: a\nSubject: [SPAM]\n")
        #expect(try copy("From: a", spam: false).hasSuffix("\nFrom: a"))
    }

    @Test func dropsForgedSpamHeadersWithTheirContinuations() throws {
        let ham = "X-Spam-Score: 1\nX-Spam-Status: No, score=1 required=90 tests=BAYES\n"
        #expect(try copy("X-Spam-Flag: NO\nX-SPAM-Status: No,\n\tforged\nSubject: s\n\nX-Spam-Flag: body\n", spam: false)
            == ham + "Subject: s\n\nX-Spam-Flag: body\n")
    }

    @Test func anOverlongHeaderLineEndsHeaderWorkButLosesNothing() throws {
        let long = "X-Long: " + String(repeating: "a", count: 200_000) + "\nSubject: s\n\nb\n"
        let out = try copy(long, spam: false)
        #expect(out == "X-Spam-Score: 1\nX-Spam-Status: No, score=1 required=90 tests=BAYES\n" + long)
    }
}

/// Issue 18: the `tag` verdicts of the earlier layers have a consumer: qsentry-local reports the
/// session header's tags in X-Spam-Status.
@Suite struct SessionTagsTests {
    func outcome(_ message: String) throws -> DeliveryStage.Outcome {
        var limits = MIMELimits()
        limits.fields = ["x-qsentry-session"]
        var parser = MIMEParser(limits: limits)
        parser.feed(Array(message.utf8)[...])
        let stage = DeliveryStage(preferences: DeliveryPreferences())
        var log = LogLine(program: "test")
        return stage.run(fd: -1, size: message.utf8.count, facts: parser.finish(), sender: "a@example.org", log: &log)
    }

    @Test func tagsFromTheSessionHeaderBecomeTests() throws {
        let r = try outcome("X-QSentry-Session: ip=192.0.2.7; tags=rdns,same-domain\nSubject: x\n\nbody\n")
        guard case .deliver(let tag, nil) = r else { Issue.record("\(r)"); return }
        #expect(tag.tests.starts(with: ["QSENTRY_RDNS", "QSENTRY_SAME_DOMAIN"]), "\(tag.tests)")
        #expect(!tag.isSpam)
    }

    @Test func noHeaderNoTags() throws {
        let r = try outcome("Subject: x\n\nbody\n")
        guard case .deliver(let tag, nil) = r else { Issue.record("\(r)"); return }
        #expect(!tag.tests.contains { $0.hasPrefix("QSENTRY_") })
    }
}
