import Testing
@testable import QSentryCore

@Suite struct ContractTests {
    @Test func logLineFormatAndQuoting() {
        var l = LogLine(program: "qsentry-conn")
        l.add("ip", "192.0.2.7")
        l.add("rule", "dnsbl")
        l.add("text", "listed at \"zen\"\r\nverdict=accept")
        l.add("empty", "")
        l.add("n", 3)
        #expect(l.formatted(pid: 42) ==
            "qsentry-conn: pid=42 ip=192.0.2.7 rule=dnsbl text=\"listed at \\\"zen\\\"\\r\\nverdict=accept\" empty=\"\" n=3")
        var c = LogLine(program: "p")
        c.add("ctl", "a\u{01}b\u{1f}c\u{7f}é")
        #expect(c.formatted(pid: 1) == "p: pid=1 ctl=\"a\\x01b\\x1fc\\x7fé\"")
    }

    @Test func verdictCombination() {
        let tag = Verdict(.tag, rule: "spf")
        let deferred = Verdict(.deferred, rule: "rdns")
        let refuse = Verdict(.refuse, rule: "dnsbl")
        #expect(Verdict.accept.combined(with: tag) == tag)
        #expect(tag.combined(with: deferred) == deferred)
        #expect(deferred.combined(with: refuse) == refuse)
        #expect(refuse.combined(with: deferred) == refuse)
        #expect(refuse.combined(with: Verdict(.refuse, rule: "later")).rule == "dnsbl")
        #expect(VerdictAction(rawValue: "defer") == .deferred)
    }

    @Test func replyTemplatePlaceholders() {
        let t = ReplyTemplate("%IP% may not send for %Domain% (%EMailFrom% to %EMailTo%), 100% sure %Other%")
        let s = t.render(.init(ip: "192.0.2.7", domain: "example.com", emailTo: "a@local", emailFrom: "b@example.com"))
        #expect(s == "192.0.2.7 may not send for example.com (b@example.com to a@local), 100% sure %Other%")
    }

    @Test func replyTextsCannotInjectLines() {
        let s = ReplyTemplate("bad %EMailFrom%").render(.init(emailFrom: "x\r\n250 OK"))
        #expect(!s.contains("\r") && !s.contains("\n"))
        #expect(SMTPReply(553, "5.7.1", "a\nb").wire == "553 5.7.1 a b\r\n")
    }

    @Test func replyForVerdict() {
        #expect(SMTPReply.forVerdict(.accept) == nil)
        #expect(SMTPReply.forVerdict(Verdict(.deferred, rule: "x", text: "try later"))?.code == 451)
        #expect(SMTPReply.forVerdict(Verdict(.refuse, rule: "x", text: "no"))?.wire == "553 5.7.1 no\r\n")
    }

    @Test func exitCodes() {
        #expect(QueueExit.permanentRefusal.isPermanent)
        #expect(!QueueExit.temporaryRefusal.isPermanent)
        #expect(!QueueExit.customError.isPermanent)
        #expect(DeliveryExit.okStop.rawValue == 99)
    }

    @Test func environmentContractNamesAreUnique() {
        let names = EnvironmentContract.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("RBLSMTPD"))
    }
}
