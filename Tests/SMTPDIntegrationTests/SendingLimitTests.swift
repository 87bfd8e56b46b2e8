import Foundation
import Testing
import TestHarness
import QSentryCore

/// E19 through tcpserver and swaks with real AUTH (a checkpassword program) and a relay client:
/// past the limit 451 4.7.0 and a warning in the log; qsentry limits shows and resets the counts.
@Suite struct SendingLimitTests {
    func rig(_ limits: String) throws -> SMTPDRig {
        let rig = try SMTPDRig(["control/qsentry/auth-delay": "0\n", "control/qsentry/auth-requires-tls": "0\n",
                                "control/qsentry/sending-limits": limits], rules: "127.0.0.5:allow,RELAYCLIENT=\"\"\n:allow\n")
        let program = try rig.root.write("bin/checkpassword", SMTPDAuthTests.checkpassword, mode: 0o755)
        try rig.root.write("control/qsentry/checkpassword", "\(program) /bin/true\n")
        return rig
    }

    func asAlice(_ rig: SMTPDRig, to: String) throws -> String {
        try rig.swaks(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
                       "--from", "alice@example.com", "--to", to])
    }

    @Test func anAuthenticatedUserPastTheLimitIsDeferred() throws {
        let rig = try rig("messages-per-hour=2\nrecipients-per-day=100\n")
        for _ in 0..<2 {
            let t = try asAlice(rig, to: "friend@elsewhere.example")
            #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        }
        let third = try asAlice(rig, to: "friend@elsewhere.example")
        #expect(third.contains("451 4.7.0 sending limit reached for alice@example.com"), "\(third)")
        #expect(rig.exim.messages.count == 2)
        try Run.wait(for: "the warning") { rig.log.contains("sending limit reached: alice messages-per-hour=2") }
        // explain reads the same counts and gives the same answer (and counts nothing).
        let e = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--auth", "alice", "--from", "alice@example.com",
                                                        "--to", "friend@elsewhere.example"], environment: rig.root.environment())
        #expect(e.stdout.contains("sending-limit: alice -> counted (this hour 2 messages, 2 recipients; today 2 messages, 2 recipients)")
                && e.stdout.contains("451 4.7.0 sending limit reached"), "\(e.output)")
        // Strangers are not counted or limited.
        let stranger = try rig.swaks(["--from", "someone@example.org", "--to", "sales@example.com"])
        #expect(Swaks.replyCodes(stranger).suffix(4) == [250, 354, 250, 221], "\(stranger)")

        let shown = try Run.command(Run.program("qsentry"), ["limits"], environment: rig.root.environment())
        #expect(shown.status == 0 && shown.stdout.contains("alice\tmessages 2/2 this hour, 2/500 today\trecipients 2/500 this hour, 2/100 today"),
                "\(shown.output)")
        #expect(!shown.stdout.contains("someone"))
        let reset = try Run.command(Run.program("qsentry"), ["limits", "--reset", "alice"], environment: rig.root.environment())
        #expect(reset.status == 0, "\(reset.output)")
        let again = try asAlice(rig, to: "friend@elsewhere.example")
        #expect(Swaks.replyCodes(again).suffix(4) == [250, 354, 250, 221], "\(again)")
    }

    @Test func recipientLimitsCountTheMessageBeingSentAndUsersHaveTheirOwn() throws {
        let rig = try rig("recipients-per-hour=3\nrelay:127.0.0.5:recipients-per-hour=1\n")
        let t = try asAlice(rig, to: "a@elsewhere.example,b@elsewhere.example,c@elsewhere.example,d@elsewhere.example")
        #expect(t.contains("451 4.7.0 sending limit reached"), "\(t)")
        #expect(Swaks.replyCodes(t).suffix(2) == [250, 221], "three recipients taken, the message sent: \(t)")
        #expect(rig.exim.messages.count == 1)
        // The relay client's own line: one recipient an hour.
        let relay = try Swaks.run(server: rig.server.address, ["--local-interface", "127.0.0.5", "--from", "me@example.com",
                                                               "--to", "x@elsewhere.example,y@elsewhere.example"]).stdout
        #expect(relay.contains("451 4.7.0"), "\(relay)")
        try Run.wait(for: "the relay client's warning") { rig.log.contains("sending limit reached: relay:127.0.0.5 recipients-per-hour=1") }
    }

    @Test func aStoreThatDoesNotAnswerSkipsTheLimits() throws {
        let rig = try rig("messages-per-hour=1\n")
        try rig.root.write("control/qsentry/store", "redis://127.0.0.1:1/\n")
        for _ in 0..<2 {
            let t = try asAlice(rig, to: "friend@elsewhere.example")
            #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        }
        try Run.wait(for: "a store warning") { rig.log.contains("sending-limit: store:") }
    }
}
