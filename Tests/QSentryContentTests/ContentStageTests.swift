#if canImport(Glibc)
import Glibc
#endif
import Testing
import QSentryContent
import QSentryCore
import QSentryMessage
import QSentryMIME

/// The content stage's order (M2–M4, E13, seed 000 layer 5) on messages parsed in memory; the
/// scanners and DNS rules are tested against real clamd and rbldnsd in QueueIntegrationTests.
@Suite struct ContentStageTests {
    func message(_ text: String, to recipients: [String] = ["u@example.com"], session: SessionFacts = SessionFacts()) -> ScannedMessage {
        var parser = MIMEParser()
        parser.feed(Array(text.utf8)[...])
        return ScannedMessage(spool: -1, size: text.utf8.count, facts: parser.finish(),
                              envelope: QmailEnvelope(sender: "a@example.org", recipients: recipients), session: session)
    }

    var config: ContentConfiguration {
        var c = ContentConfiguration(quarantineDirectory: "/nonexistent")
        c.rules = [AttachmentCheck(patterns: [".exe"]), KeywordCheck(phrases: ["cheap   pills"])]
        return c
    }

    static let attachment = """
        Subject: invoice
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        see attached
        --b
        Content-Type: application/octet-stream; name="invoice.EXE"

        MZ
        --b--

        """

    /// The parser gathers what the configured rules read and no more (ContentConfiguration.parserLimits):
    /// the virus scan and the attachment names need no text, keywords and their allow list do,
    /// Bayes its header fields and hosts too.
    @Test func theParserGathersOnlyWhatTheRulesRead() {
        struct NoStore: Error {}
        var c = ContentConfiguration(quarantineDirectory: "/nonexistent")
        c.rules = [AttachmentCheck(patterns: [".exe"])]
        var l = c.parserLimits
        #expect(l.text == 0 && l.hosts == 0 && l.fields == ["x-qsentry-session"] && l.repeatedFields.isEmpty && !l.hashAttachments)
        c.allowPhrases = ["newsletter"]
        l = c.parserLimits
        #expect(l.text > 0 && l.hosts == 0 && l.repeatedFields.isEmpty)
        c.allowPhrases = []
        c.rules.append(KeywordCheck(phrases: ["cheap pills"]))
        #expect(c.parserLimits.text > 0 && c.parserLimits.hosts == 0)
        c.rules.append(BayesCheck(rejectPercent: 90, minimumLearned: 200, open: { throw NoStore() }))
        l = c.parserLimits
        #expect(l.text > 0 && l.hosts > 0 && l.repeatedFields.contains("received") && l.fields.count > 1, "\(l.fields)")
        // No rule at all: a message parsed for it keeps no text.
        var parser = MIMEParser(limits: ContentConfiguration(quarantineDirectory: "/nonexistent").parserLimits)
        parser.feed(Array("Subject: hi\n\ncheap pills\n".utf8)[...])
        #expect(parser.finish().text.isEmpty)
    }

    @Test func theFirstRuleThatHitsDecides() {
        let out = ContentStage(config).run(message(Self.attachment))
        #expect(out.verdict.action == .refuse && out.verdict.rule == "attachment" && out.verdict.event == .spam, "\(out.verdict)")
        #expect(out.trail == ["attachment:hit"])
    }

    @Test func keywordsIgnoreCaseAndSpacing() {
        let out = ContentStage(config).run(message("Subject: hi\n\nBuy CHEAP pills now\n"))
        #expect(out.verdict.action == .refuse && out.verdict.rule == "keyword", "\(out.verdict)")
        #expect(out.trail == ["attachment:pass", "keyword:hit"])
    }

    @Test func theSitesOwnUsersSkipTheSpamRules() {
        let out = ContentStage(config).run(message("Subject: hi\n\ncheap pills\n", session: SessionFacts(trusted: true)))
        #expect(out.verdict == .accept)
        #expect(out.trail == ["trusted"])
    }

    @Test func unfilteredOnlyWhenEveryRecipientIs() throws {
        var c = config
        c.unfiltered = AddressList(lines: [ControlLine(number: 1, text: "abuse@example.com")], path: "unfiltered")
        let all = ContentStage(c).run(message("Subject: hi\n\ncheap pills\n", to: ["abuse@example.com"]))
        #expect(all.verdict == .accept && all.trail == ["unfiltered"])
        let some = ContentStage(c).run(message("Subject: hi\n\ncheap pills\n", to: ["abuse@example.com", "u@example.com"]))
        #expect(some.verdict != .accept)
    }

    /// A3: a sender a mailbox user allowed in the web console skips the spam rules for mail to
    /// that user alone; a message to another recipient too is filtered as before.
    @Test func aSenderAllowedByEveryRecipientSkipsTheSpamRules() throws {
        let dir = "/tmp/qsentry-released-\(getpid())"
        mkdir(dir, 0o700)
        defer { unlink(dir + "/" + ReleasedSenders.fileName); rmdir(dir) }
        let released = ReleasedSenders(path: dir + "/" + ReleasedSenders.fileName)
        var c = config
        c.releasedSenders = released
        let spam = "Subject: hi\n\ncheap pills\n"
        #expect(ContentStage(c).run(message(spam)).verdict.action == .refuse)  // no file yet: nobody allowed
        #expect(try released.add(sender: "A@Example.org", recipient: "U@example.com", now: 1))
        #expect(try !released.add(sender: "a@example.org", recipient: "u@example.com", now: 2))  // there already
        let allowed = ContentStage(c).run(message(spam))
        #expect(allowed.verdict == .accept && allowed.trail == ["released-senders"], "\(allowed.trail)")
        #expect(ContentStage(c).run(message(spam, to: ["u@example.com", "v@example.com"])).verdict.action == .refuse)
        #expect(ContentStage(c).run(message(Self.attachment)).verdict == .accept)  // the spam rules, all of them
        #expect(try released.senders(of: "u@example.com") == ["a@example.org"])
        #expect(try released.remove(sender: "a@example.org", recipient: "u@example.com"))
        #expect(ContentStage(c).run(message(spam)).verdict.action == .refuse)
        #expect(throws: ReleasedSenders.Failure.self) { try released.add(sender: "", recipient: "u@example.com", now: 3) }
        // A user's list is bounded: the oldest goes first.
        for i in 0..<(ReleasedSenders.perRecipient + 5) { try released.add(sender: "s\(i)@x.test", recipient: "u@example.com", now: 10 + i) }
        let kept = try released.senders(of: "u@example.com")
        #expect(kept.count == ReleasedSenders.perRecipient && kept.first == "s5@x.test")
    }
}
