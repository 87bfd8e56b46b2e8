import Foundation
import Testing
import TestHarness
import QSentryCore
@testable import QSentryEnvelope

/// The envelope rules from control files, decision by decision.
@Suite struct EnvelopePolicyTests {
    func policy(_ files: [String: String]) throws -> (EnvelopePolicy, TempQmailRoot) {
        let root = try TempQmailRoot()
        try root.write("control/rcpthosts", "example.com\n.example.net\n")
        try root.write("control/locals", "example.com\n")
        try FileManager.default.createDirectory(atPath: root.path + "/home/alias", withIntermediateDirectories: true)
        for (k, v) in files { try root.write(k, v) }
        var config = try EnvelopeConfiguration.load(QmailRoot(path: root.path))
        config.recipients = nil  // existence is tested in QSentryRecipientsTests; here the rules around it
        return (EnvelopePolicy(config: config), root)
    }

    func path(_ s: String) -> SMTPPath { try! SMTPPath.parse(s).get() }
    let stranger = SessionState(ipText: "192.0.2.7", relayClient: false)

    func code(_ d: Verdict) -> Int? { d.reply?.code }

    @Test func relayOnlyForRcpthostsUnlessTrusted() throws {
        let (p, _) = try policy([:])
        #expect(p.rcptTo(path("<a@example.com>"), from: path("<s@example.org>"), recipientsInMessage: 0, stranger) == .accept)
        #expect(p.rcptTo(path("<a@sub.example.net>"), from: path("<s@example.org>"), recipientsInMessage: 0, stranger) == .accept)
        let relay = p.rcptTo(path("<a@victim.example>"), from: path("<s@example.org>"), recipientsInMessage: 0, stranger)
        #expect(relay.rule == "relay" && code(relay) == 553)
        let relayClient = SessionState(ipText: "10.0.0.1", relayClient: true)
        #expect(p.rcptTo(path("<a@victim.example>"), from: path("<s@example.org>"), recipientsInMessage: 0, relayClient) == .accept)
        var authed = stranger
        authed.authUser = "alice"
        #expect(p.rcptTo(path("<a@victim.example>"), from: path("<s@example.org>"), recipientsInMessage: 0, authed) == .accept)
    }

    @Test func routingTricksRefusedForStrangersOnly() throws {
        let (p, _) = try policy([:])
        for trick in ["<user%victim.example@example.com>", "<victim.example!user@example.com>", "<user@victim.example@example.com>",
                      "<@example.com:user@victim.example>", "<\"user@victim.example\"@example.com>"] {
            let d = p.rcptTo(path(trick), from: path("<s@example.org>"), recipientsInMessage: 0, stranger)
            #expect(d.rule == "routing", "\(trick)")
        }
        let trusted = SessionState(ipText: "10.0.0.1", relayClient: true)
        #expect(p.rcptTo(path("<user%victim.example@example.com>"), from: path("<s@x.example>"), recipientsInMessage: 0, trusted) == .accept)
    }

    @Test func senderLists() throws {
        let (p, _) = try policy(["control/badmailfrom": "@spam.example\n", "control/qsentry/mailfromblock": "bad@example.org\n",
                                 "control/qsentry/mailfromblock-domains": ".bulk.example\n",
                                 "control/qsentry/sender-rules": "empty-sender=refuse\n"])
        #expect(p.mailFrom(path("<x@SPAM.example>"), stranger).rule == "badmailfrom")
        #expect(p.mailFrom(path("<bad@example.org>"), stranger).rule == "badmailfrom")
        #expect(p.mailFrom(path("<x@a.bulk.example>"), stranger).rule == "badmailfrom")
        #expect(p.mailFrom(path("<good@example.org>"), stranger) == .accept)
        #expect(p.mailFrom(path("<>"), stranger).rule == "empty-sender")
    }

    @Test func emptySenderAcceptedByDefault() throws {
        let (p, _) = try policy([:])
        #expect(p.mailFrom(path("<>"), stranger) == .accept)
    }

    @Test func recipientListsHoneypotsAndAllowLists() throws {
        let (p, _) = try policy(["control/qsentry/rcptblock": "old@example.com\n", "control/qsentry/honeypots": "trap@example.com\n",
                                 "control/qsentry/mailfromallow": "friend@partner.example\n"])
        let from = path("<s@example.org>")
        #expect(p.rcptTo(path("<old@example.com>"), from: from, recipientsInMessage: 0, stranger).rule == "rcptblock")
        let trap = p.rcptTo(path("<trap@example.com>"), from: from, recipientsInMessage: 0, stranger)
        #expect(trap == .replyAndReport(SMTPReply(550, "5.1.1", "sorry, no mailbox here by that name: trap@example.com"),
                                        rule: "honeypot", event: .honeypot, disconnect: false))
        #expect(p.rcptTo(path("<old@example.com>"), from: path("<friend@partner.example>"), recipientsInMessage: 0, stranger) == .accept)
    }

    @Test func authorizedRecipientsOnly() throws {
        let (p, _) = try policy(["control/qsentry/rcptallow": "sales@example.com\n"])
        let from = path("<s@example.org>")
        #expect(p.rcptTo(path("<sales@example.com>"), from: from, recipientsInMessage: 0, stranger) == .accept)
        #expect(p.rcptTo(path("<ceo@example.com>"), from: from, recipientsInMessage: 0, stranger).rule == "rcptallow")
    }

    @Test func senderEqualsRecipientRules() throws {
        let (p, _) = try policy(["control/qsentry/sender-rules": "from-equals-to=refuse\nsame-domain=refuse\n"])
        #expect(p.rcptTo(path("<a@example.com>"), from: path("<A@example.com>"), recipientsInMessage: 0, stranger).rule == "from-equals-to")
        #expect(p.rcptTo(path("<b@example.com>"), from: path("<a@example.com>"), recipientsInMessage: 0, stranger).rule == "same-domain")
        var authed = stranger
        authed.authUser = "a"
        #expect(p.rcptTo(path("<a@example.com>"), from: path("<a@example.com>"), recipientsInMessage: 0, authed) == .accept)
    }

    @Test func laterRulesRefuseOverTagsAndTheFirstTagStands() {
        let refused = Verdict.reply(SMTPReply(550, "5.7.23", "no"), rule: "spf-fail")
        #expect(Verdict.accept.then(.tag(rule: "a")) == .tag(rule: "a"))
        #expect(Verdict.tag(rule: "a").then(.tag(rule: "b")) == .tag(rule: "a"))
        #expect(Verdict.tag(rule: "a").then(refused) == refused)
        #expect(Verdict.tag(rule: "a").then(.accept) == .tag(rule: "a"))
    }

    /// Every sender rule takes all four actions: defer answers 451, tag lets the command through marked.
    @Test func senderRulesDeferAndTag() throws {
        let (p, _) = try policy(["control/qsentry/sender-rules": "from-equals-to=defer\nsame-domain=tag\nempty-sender=tag\n"])
        let same = p.rcptTo(path("<a@example.com>"), from: path("<a@example.com>"), recipientsInMessage: 0, stranger)
        #expect(same.rule == "from-equals-to" && code(same) == 451)
        let tagged = p.rcptTo(path("<b@example.com>"), from: path("<a@example.com>"), recipientsInMessage: 0, stranger)
        #expect(tagged == .tag(rule: "same-domain") && tagged.passes)
        #expect(p.mailFrom(path("<>"), stranger) == .tag(rule: "empty-sender"))
        // A tagged recipient that does not exist is still unknown: the tag never lets a bad recipient through.
        #expect(p.rcptTo(path("<a@victim.example>"), from: path("<a@victim.example>"), recipientsInMessage: 0, stranger).rule == "relay")
    }

    @Test func recipientLimits() throws {
        let (p, _) = try policy(["control/qsentry/maxrcpt": "message=2\nconnection=3\n"])
        let from = path("<s@example.org>")
        #expect(p.rcptTo(path("<a@example.com>"), from: from, recipientsInMessage: 1, stranger) == .accept)
        #expect(code(p.rcptTo(path("<a@example.com>"), from: from, recipientsInMessage: 2, stranger)) == 452)
        var s = stranger
        s.sessionRecipients = 3
        #expect(code(p.rcptTo(path("<a@example.com>"), from: from, recipientsInMessage: 0, s)) == 452)
    }

    @Test func connVerdictAppliesAtRcptExceptPostmaster() throws {
        let (p, _) = try policy([:])
        let listed = SessionState(ipText: "192.0.2.7", relayClient: false, connVerdict: Verdict(.refuse, rule: "dnsbl", text: "listed"))
        let from = path("<s@example.org>")
        #expect(p.rcptTo(path("<a@example.com>"), from: from, recipientsInMessage: 0, listed) == .reply(SMTPReply(553, "5.7.1", "listed"), rule: "dnsbl"))
        #expect(p.rcptTo(path("<Postmaster@example.com>"), from: from, recipientsInMessage: 0, listed) == .accept)
    }

    @Test func barePostmasterIsAcceptedOtherBareNamesAreNot() throws {
        let (p, _) = try policy([:])
        let from = path("<s@example.org>")
        #expect(p.rcptTo(path("<Postmaster>"), from: from, recipientsInMessage: 0, stranger) == .accept)
        #expect(p.rcptTo(path("<alice>"), from: from, recipientsInMessage: 0, stranger).rule == "syntax")
    }

    @Test func customTextsWithPlaceholders() throws {
        let (p, _) = try policy(["control/qsentry/messages": "relay=%IP% may not relay to %EMailTo% for %EMailFrom%\n"])
        let d = p.rcptTo(path("<a@victim.example>"), from: path("<s@example.org>"), recipientsInMessage: 0, stranger)
        #expect(d == .reply(SMTPReply(553, "5.7.1", "192.0.2.7 may not relay to a@victim.example for s@example.org"), rule: "relay"))
    }
}

/// Issue 18: the stage is its rule lists, and each rule carries its texts.
@Suite struct EnvelopeRuleListTests {
    @Test func everyTextHasOneOwner() {
        var owners: [String: RuleName] = [:]
        for rule in EnvelopePolicy.mailRules + EnvelopePolicy.rcptRules {
            for (name, _) in rule.texts {
                #expect(owners[name] == nil || owners[name] == rule.name, "\(name) in \(owners[name].map(\.rawValue) ?? "") and \(rule.name)")
                owners[name] = rule.name
            }
        }
        for name in ["relay", "routing", "unknown-recipient", "bad-recipients", "badmailfrom", "honeypot", "spf-fail", "sender-mx"] {
            #expect(EnvelopePolicy.defaultText(name) != nil, "\(name)")
        }
        #expect(EnvelopePolicy.defaultText("no-such-rule") == nil)
    }

    @Test func theRecipientCheckComesLastThenGreylisting() {
        // An unknown recipient gets its 550 at once; greylisting delays only mail that would be taken.
        #expect(EnvelopePolicy.rcptRules.suffix(2).map(\.name) == ["unknown-recipient", "greylist"])
        #expect(EnvelopePolicy.mailRules.prefix(2).map(\.name) == ["sending-limit", "trusted"])
    }
}

/// E18's control file: defaults, every key, and bad lines as problems (greylisting stays on).
@Suite struct GreylistSettingsTests {
    @Test func readsEveryKeyAndRefusesNonsense() throws {
        let root = try TempQmailRoot()
        #expect(try Greylist.Settings.load(root.path + "/control/qsentry/greylist") == nil, "no file: off")
        let path = try root.write("control/qsentry/greylist", "# delay=5m\n")
        #expect(try Greylist.Settings.load(path) == nil, "comments only, as installed: off")
        _ = try root.write("control/qsentry/greylist", "delay=5m\n")
        #expect(try Greylist.Settings.load(path) == Greylist.Settings(), "one line: on, the defaults")
        let d = Greylist.Settings()
        #expect(d.timing.delay == 300 && d.timing.window == 86_400 && d.timing.lifetime == 36 * 86_400 && d.ipv4Prefix == 24 && d.ipv6Prefix == 64)
        _ = try root.write("control/qsentry/greylist", """
            # greylisting
            delay=10m
            window=12h
            lifetime=30d
            auto-allow=0
            ipv4-prefix=32
            ipv6-prefix=48
            skip-spf-pass=yes
            only-tagged=yes
            store-failure=defer

            """)
        let s = try #require(try Greylist.Settings.load(path))
        #expect(s.timing.delay == 600 && s.timing.window == 43_200 && s.timing.lifetime == 30 * 86_400 && s.timing.autoAllow == 0)
        #expect(s.ipv4Prefix == 32 && s.ipv6Prefix == 48 && s.skipSPFPass && s.onlyTagged && s.storeFailure == .deferred)
        for bad in ["delay=soon\n", "ipv4-prefix=40\n", "skip-spf-pass=maybe\n", "colour=grey\n", "delay=2d\nwindow=1d\n", "delay\n"] {
            _ = try root.write("control/qsentry/greylist", bad)
            #expect(throws: ControlError.self, "\(bad)") { try Greylist.Settings.load(path) }
            var c = EnvelopeConfiguration()
            try Greylist.load(QmailRoot(path: root.path), into: &c)
            #expect(c.greylist == Greylist.Settings() && !c.problems.isEmpty, "a bad file: defaults and a problem (\(bad))")
        }
    }
}

/// E19's control file: the site's limits, a user's own lines over them, and bad lines refused.
@Suite struct SendingLimitSettingsTests {
    @Test func siteLimitsAndAUsersOwn() throws {
        let root = try TempQmailRoot()
        #expect(try SendingLimit.Settings.load(root.path + "/control/qsentry/sending-limits") == nil)
        let path = try root.write("control/qsentry/sending-limits", "messages-per-hour=20\nbulk@example.com:messages-per-hour=0\nbulk@example.com:recipients-per-day=50000\n")
        let s = try #require(try SendingLimit.Settings.load(path))
        #expect(s.defaults.messagesPerHour == 20 && s.defaults.messagesPerDay == 500)
        let bulk = s.limits(for: "bulk@example.com")
        #expect(bulk.messagesPerHour == 0 && bulk.recipientsPerDay == 50000 && bulk.messagesPerDay == 500)
        #expect(s.limits(for: "alice") == s.defaults)
        for bad in ["messages-per-week=1\n", "messages-per-hour=lots\n", "x:recipients-per-hour=-1\n"] {
            _ = try root.write("control/qsentry/sending-limits", bad)
            #expect(throws: ControlError.self, "\(bad)") { try SendingLimit.Settings.load(path) }
        }
        #expect(SendingLimit.sender(SessionState(ipText: "192.0.2.7", relayClient: true)) == "relay:192.0.2.7")
        #expect(SendingLimit.sender(SessionState(ipText: "192.0.2.7", relayClient: false, authUser: "alice")) == "alice")
        #expect(SendingLimit.sender(SessionState(ipText: "192.0.2.7", relayClient: false)) == nil)
    }
}
