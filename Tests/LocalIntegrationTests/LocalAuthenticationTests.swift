import Foundation
import Testing
import TestHarness

/// M11 at delivery: qsentry-local weighs the Authentication-Results qsentry-queue wrote (above
/// qmail-smtpd's Received line, with control/me's authserv-id), and no other.
@Suite struct LocalAuthenticationTests {
    typealias Home = LocalDeliveryTests.Home

    static func message(results: String, below: Bool = false, id: String = "mx.example.com") -> String {
        let field = "Authentication-Results: \(id);\n\t\(results)\n"
        let received = "Received: from unknown (HELO x) (192.0.2.10)\n  by mx.example.com with SMTP; 1 Dec 2026 10:00:00 -0000\n"
        let rest = "From: Bank <service@bank.example>\nTo: joe@example.com\nSubject: your account\n\nPlease log in.\n"
        return below ? received + field + rest : field + received + rest
    }

    @Test func aTaggedDMARCFailIsSpamAndAnUntaggedOneIsReported() throws {
        let h = try Home(files: ["control/me": "mx.example.com\n"])
        let tagged = try h.deliver(Self.message(results: "dkim=none;\n\tdmarc=fail (p=reject; action=tag) policy.dmarc=reject header.from=bank.example"))
        #expect(tagged.status == 99 && tagged.stderr.contains("verdict=spam") && tagged.stderr.contains("DMARC_FAIL"), "\(tagged.stderr)")
        #expect(h.delivered().last?.contains("X-Spam-Flag: YES") == true)
        let reported = try h.deliver(Self.message(results: "dkim=none;\n\tdmarc=fail (p=none; action=none) policy.dmarc=none header.from=bank.example"))
        #expect(reported.stderr.contains("verdict=ham") && reported.stderr.contains("DMARC_FAIL"), "\(reported.stderr)")
    }

    @Test func aDKIMPassFromAnAllowedDomainDeliversAtOnce() throws {
        let h = try Home(files: ["control/me": "mx.example.com\n", "home/joe/.qsentry/allow": "@bank.example\n"])
        // The envelope sender is not on the list: the signature is what allows it.
        let r = try h.deliver(Self.message(results: "dkim=pass header.d=bank.example header.s=s1;\n\tdmarc=pass header.from=bank.example"),
                              sender: "bounces@mailer.example")
        #expect(r.stderr.contains("verdict=ham") && r.stderr.contains("ALLOW_DKIM"), "\(r.stderr)")
    }

    @Test func aFieldBelowReceivedOrWithAnotherIDIsNotBelieved() throws {
        let h = try Home(files: ["control/me": "mx.example.com\n", "home/joe/.qsentry/allow": "@bank.example\n"])
        let below = try h.deliver(Self.message(results: "dkim=pass header.d=bank.example;\n\tdmarc=fail (action=tag)", below: true),
                                  sender: "x@spammer.example")
        #expect(!below.stderr.contains("ALLOW_DKIM") && !below.stderr.contains("DMARC_FAIL"), "\(below.stderr)")
        let other = try h.deliver(Self.message(results: "dkim=pass header.d=bank.example", id: "other.example"), sender: "x@spammer.example")
        #expect(!other.stderr.contains("ALLOW_DKIM"), "\(other.stderr)")
    }
}
