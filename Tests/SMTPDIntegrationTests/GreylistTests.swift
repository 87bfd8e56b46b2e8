import Foundation
import Testing
import TestHarness
import QSentryCore

/// E18 through a real tcpserver, swaks as the client, exim4 -bs behind qsentry-smtpd, the
/// embedded store written by qsentry-smtpd. The delay is one second, so no test sleeps minutes.
@Suite struct GreylistTests {
    static let settings = "delay=1s\nwindow=1h\nlifetime=36d\nauto-allow=3\n"

    @Test func aFirstAttemptIsGreylistedAndTheRetryPasses() throws {
        let rig = try SMTPDRig(["control/qsentry/greylist": Self.settings])
        let args = ["--from", "newcomer@example.org", "--to", "sales@example.com"]
        let first = try rig.swaks(args)
        #expect(first.contains("451 4.7.1 greylisted: this server accepts mail from new senders after a retry"), "\(first)")
        #expect(first.contains("(retry in 1 s)"), "\(first)")
        #expect(rig.exim.messages.isEmpty)
        // Too soon: still greylisted (the same second).
        let early = try rig.swaks(args)
        #expect(early.contains("451 4.7.1") || Swaks.replyCodes(early).suffix(4) == [250, 354, 250, 221], "\(early)")
        Thread.sleep(forTimeInterval: 1.2)
        let retry = try rig.swaks(args)
        #expect(Swaks.replyCodes(retry).suffix(4) == [250, 354, 250, 221], "\(retry)")
        // Remembered: the next message passes at once.
        let again = try rig.swaks(args)
        #expect(Swaks.replyCodes(again).suffix(4) == [250, 354, 250, 221], "\(again)")
        #expect(rig.exim.messages.count >= 2)
        try Run.wait(for: "greylist log fields") {
            rig.log.contains("to=sales@example.com greylist=new verdict=defer rule=greylist code=451") && rig.log.contains("greylist=passed")
                && rig.log.contains("greylist=known")
        }
        // Another sender from the same network is a new triplet.
        let other = try rig.swaks(["--from", "second@example.org", "--to", "sales@example.com"])
        #expect(other.contains("451 4.7.1"), "\(other)")
        // explain shows the triplet's state and records nothing.
        let e = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", "newcomer@example.org",
                                                        "--to", "sales@example.com"], environment: rig.root.environment())
        #expect(e.stdout.contains("greylist=known"), "\(e.output)")
        let e2 = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", "third@example.org",
                                                         "--to", "sales@example.com"], environment: rig.root.environment())
        #expect(e2.stdout.contains("greylist=new") && e2.stdout.contains("451 4.7.1"), "\(e2.output)")
        let third = try rig.swaks(["--from", "third@example.org", "--to", "sales@example.com"])
        #expect(third.contains("451 4.7.1 greylisted") && third.contains("(retry in 1 s)"), "\(third)")
    }

    @Test func trustedAllowListedUnfilteredAndUnknownRecipientsAreNotGreylisted() throws {
        let rig = try SMTPDRig(["control/qsentry/greylist": Self.settings, "control/qsentry/mailfromallow": "friend@example.org\n",
                                "control/qsentry/unfiltered": "info@example.com\n"],
                               rules: "127.0.0.5:allow,RELAYCLIENT=\"\"\n:allow\n")
        let relay = try Swaks.run(server: rig.server.address, ["--local-interface", "127.0.0.5", "--from", "me@example.com",
                                                               "--to", "sales@example.com"]).stdout
        #expect(Swaks.replyCodes(relay).suffix(4) == [250, 354, 250, 221], "\(relay)")
        let friend = try rig.swaks(["--from", "friend@example.org", "--to", "sales@example.com"])
        #expect(Swaks.replyCodes(friend).suffix(4) == [250, 354, 250, 221], "\(friend)")
        let abuse = try rig.swaks(["--from", "stranger@example.org", "--to", "info@example.com"])
        #expect(Swaks.replyCodes(abuse).suffix(4) == [250, 354, 250, 221], "\(abuse)")
        // An unknown recipient gets its 550 at once, not a 451 first.
        let unknown = try rig.swaks(["--from", "stranger@example.org", "--to", "nobody@example.com"])
        #expect(unknown.contains("550 5.1.1"), "\(unknown)")
    }

    /// only-tagged greylists what an earlier rule tagged, at MAIL too (empty-sender=tag), and
    /// nothing else.
    @Test func onlyTaggedCountsWhatMAILTagged() throws {
        // A delay of an hour: explain must find the triplet still early however slow the machine
        // (a one-second delay let a loaded CI run see it passed).
        let rig = try SMTPDRig(["control/qsentry/greylist": "delay=1h\nwindow=4h\nlifetime=36d\nonly-tagged=yes\n",
                                "control/qsentry/sender-rules": "empty-sender=tag\n"])
        let plain = try rig.swaks(["--from", "someone@example.org", "--to", "sales@example.com"])
        #expect(Swaks.replyCodes(plain).suffix(4) == [250, 354, 250, 221], "\(plain)")
        let bounce = try rig.swaks(["--from", "<>", "--to", "sales@example.com"])
        #expect(bounce.contains("MAIL FROM:<>") && bounce.contains("451 4.7.1 greylisted"), "\(bounce)")
        let e = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", "", "--to", "sales@example.com"],
                                environment: rig.root.environment())
        // explain reads the same tag (the triplet the session just recorded is early now).
        #expect(e.stdout.contains("empty-sender: MAIL FROM:<> -> tag") && e.stdout.contains("greylist=early; 451 4.7.1"), "\(e.output)")
    }

    @Test func aStoreThatCannotBeReachedFollowsStoreFailure() throws {
        for (setting, expected) in [("store-failure=accept\n", 250), ("store-failure=defer\n", 451)] {
            let rig = try SMTPDRig(["control/qsentry/greylist": Self.settings + setting,
                                    "control/qsentry/store": "redis://127.0.0.1:1/\n"])
            let t = try rig.swaks(["--from", "someone@example.org", "--to", "sales@example.com"])
            if expected == 250 {
                #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
            } else {
                #expect(t.contains("451 4.3.0"), "\(t)")
            }
            try Run.wait(for: "a store warning") { rig.log.contains("greylist: store:") }
        }
    }
}
