import Foundation
import Testing
import TestHarness
import QSentryCore

/// qsentry-smtpd through a real tcpserver, swaks as the client, exim4 -bs as the SMTP server behind it.
@Suite struct SMTPDTests {
    @Test func acceptedMailReachesTheServerBehind() throws {
        let rig = try SMTPDRig()
        let t = try rig.swaks(["--from", "someone@example.org", "--to", "sales@example.com", "--header", "Subject: hello"])
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        #expect(rig.exim.messages.count == 1)
        #expect(rig.exim.messages.first?.header.contains("sales@example.com") == true)
    }

    @Test func pipelinedMixedRecipients() throws {
        let rig = try SMTPDRig()
        let t = try rig.swaks(["--pipeline", "--from", "someone@example.org",
                               "--to", "sales@example.com,nobody@example.com,info@example.com,x@victim.example,a%b@example.com"])
        #expect(t.contains("550 5.1.1 sorry, no mailbox here by that name: nobody@example.com"), "\(t)")
        #expect(t.contains("553 5.7.1 sorry, that domain isn't in my list of allowed rcpthosts"))
        #expect(t.contains("553 5.7.1 sorry, source routes"))
        #expect(rig.exim.messages.count == 1)
        // Exim's -H file lists the envelope recipients one a line (the To: header holds all five).
        let lines = Set((rig.exim.messages.first?.header ?? "").split(separator: "\n").map(String.init))
        #expect(lines.contains("sales@example.com") && lines.contains("info@example.com"), "\(lines)")
        #expect(!lines.contains("nobody@example.com") && !lines.contains("x@victim.example"))
        try Run.wait(for: "per-recipient log lines") { rig.log.contains("to=nobody@example.com verdict=refuse rule=unknown-recipient code=550") }
    }

    @Test func relayClientsRelay() throws {
        let rig = try SMTPDRig(rules: "127.0.0.5:allow,RELAYCLIENT=\"\"\n:allow\n")
        let t = try Swaks.run(server: rig.server.address, ["--local-interface", "127.0.0.5", "--from", "me@example.com",
                                                           "--to", "friend@elsewhere.example"]).stdout
        #expect(Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221], "\(t)")
        let denied = try rig.swaks(["--from", "me@example.com", "--to", "friend@elsewhere.example"])
        #expect(denied.contains("553 5.7.1"))
    }

    @Test func connVerdictRefusedAtRcptButPostmasterGetsThrough() throws {
        let rig = try SMTPDRig(rules: ":allow,QSENTRY_CONN_VERDICT=\"refuse\",QSENTRY_CONN_RULE=\"dnsbl\",QSENTRY_CONN_TEXT=\"listed at bl.test\"\n")
        #expect(try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com"]).contains("553 5.7.1 listed at bl.test"))
        let pm = try rig.swaks(["--from", "a@example.org", "--to", "postmaster@example.com"])
        #expect(Swaks.replyCodes(pm).suffix(4) == [250, 354, 250, 221], "\(pm)")
    }

    @Test func honeypotRefusesAndBans() throws {
        let rig = try SMTPDRig(["control/qsentry/honeypots": "trap@example.com\n"])
        #expect(try rig.swaks(["--from", "a@example.org", "--to", "trap@example.com"]).contains("550 5.1.1"))
        let bans = try Run.command(Run.program("qsentry"), ["bans", "list"], environment: rig.root.environment())
        #expect(bans.stdout.contains("127.0.0.1"), "\(bans.output)")
    }

    @Test func tooManyUnknownRecipientsDisconnects() throws {
        let rig = try SMTPDRig(["control/qsentry/badrcptlimit": "2\n"])
        let t = try rig.swaks(["--from", "a@example.org", "--to", "u1@example.com,u2@example.com,u3@example.com,sales@example.com"])
        #expect(t.contains("421 4.7.0 too many unknown recipients"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
    }

    @Test func unreadableRecipientDatabaseDefers() throws {
        let rig = try SMTPDRig(["users/cdb": "truncated"])
        let t = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com"])
        #expect(t.contains("451 4.3.0"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
    }

    @Test func databytesLimitRefusesWholeMessage() throws {
        let rig = try SMTPDRig(["control/databytes": "2000\n"])
        let big = String(repeating: "0123456789abcdef ", count: 400)
        let t = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com", "--body", big])
        #expect(t.contains("552 5.3.4"), "\(t)")
        #expect(rig.exim.messages.isEmpty)
        let ok = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com", "--body", "short"])
        #expect(Swaks.replyCodes(ok).suffix(2) == [250, 221], "\(ok)")
    }

    @Test func childThatDiesGivesTemporaryFailureNeverA250() throws {
        let root0 = try TempQmailRoot()
        let dying = try root0.write("bin/dying-smtpd", """
        #!/bin/sh
        printf '220 dying ESMTP\\r\\n'
        read line; printf '250 hi\\r\\n'
        read line; printf '250 ok\\r\\n'
        read line; exit 1

        """, mode: 0o755)
        let rig = try SMTPDRig(child: dying)
        let t = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com"])
        #expect(t.contains("451 4.3.0 local error"), "\(t)")
        #expect(!t.contains("250 2.0.0 ok"))
    }

    /// Issue 10: the qmail-smtpd behind crashes (SIGSEGV) mid-transaction while a flag is set: 451,
    /// nothing queued; once it behaves again, the client's retry is delivered.
    @Test func childCrashIsTemporaryAndTheRetryIsDelivered() throws {
        let root0 = try TempQmailRoot()
        let flag = root0.path + "/crash-now"
        _ = FileManager.default.createFile(atPath: flag, contents: Data())
        let rig = try SMTPDRig()
        let flaky = try rig.root.write("bin/flaky-smtpd", """
        #!/bin/sh
        # Crashes at DATA while the flag exists; otherwise it is the exim behind.
        if [ -e '\(flag)' ]; then
          printf '220 flaky ESMTP\r\n'
          while read line; do
            case "$line" in DATA*) kill -SEGV $$;; *) printf '250 ok\r\n';; esac
          done
        fi
        exec \(rig.exim.command)

        """, mode: 0o755)
        let server = try TCPServer(root: rig.root, command: [Run.program("qsentry-smtpd"), flaky])
        let args = ["--helo", "client.example.org", "--from", "a@example.org", "--to", "sales@example.com"]
        let first = try Swaks.run(server: server.address, args).stdout
        #expect(first.contains("451 4.3.0"), "\(first)")
        #expect(rig.exim.messages.isEmpty)
        try FileManager.default.removeItem(atPath: flag)
        let retry = try Swaks.run(server: server.address, args).stdout
        #expect(Swaks.replyCodes(retry).suffix(2) == [250, 221], "\(retry)")
        #expect(rig.exim.messages.count == 1)
    }

    @Test func forgedQsentryHeadersAreStripped() throws {
        let rig = try SMTPDRig()
        _ = try rig.swaks(["--from", "a@example.org", "--to", "sales@example.com",
                           "--add-header", "X-QSentry-Verdict: clean", "--add-header", "X-Other: kept"])
        let h = rig.exim.messages.first?.header ?? ""
        #expect(h.contains("X-Other: kept"), "\(h)")
        #expect(!h.lowercased().contains("x-qsentry-verdict"))
    }

    /// DATA is streamed: a 20 MB message passes with qsentry-smtpd's memory flat (goal ≤ 16 MB peak RSS).
    @Test func twentyMegabyteMessageStreamsWithFlatMemory() throws {
        let rig = try SMTPDRig()
        let line = String(repeating: "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?", count: 1) + "\n"
        let body = try rig.root.write("body.txt", String(repeating: line, count: 20 * 1024 * 1024 / line.utf8.count))
        let watch = PeakRSS(commandStartsWith: Run.program("qsentry-smtpd") + " " + rig.exim.command)
        let t = try Swaks.run(server: rig.server.address, ["--helo", "client.example.org", "--from", "a@example.org",
                                                         "--to", "sales@example.com", "--body", body, "--suppress-data"], timeout: 300).stdout
        let peak = watch.stop()
        #expect(Swaks.replyCodes(t).suffix(2) == [250, 221], "\(t)")
        let queued = rig.exim.messages.first?.body.utf8.count ?? 0
        #expect(queued > 20_000_000, "exim queued \(queued) bytes")
        #expect(peak > 0 && peak <= 16 * 1024, "qsentry-smtpd peak RSS \(peak) kB")
    }
}
