import Foundation
import Testing
import TestHarness
import QSentryCore

/// E18, E19 and P5 with several MX hosts: two qmail roots on one redis-server see one greylist and
/// one set of sending counts; through Redis Sentinel, killing the master mid-run loses no mail,
/// keeps the bans and makes no session wait past the store's deadline. Every host is real
/// tcpserver + qsentry-conn + qsentry-smtpd in front of exim4 -bs, swaks the client.
@Suite struct SharedStoreTests {
    static let greylist = "delay=1s\nwindow=1h\nauto-allow=0\n"

    func host(_ store: String, _ name: String, _ files: [String: String] = [:]) throws -> SMTPDRig {
        let rig = try SMTPDRig(files.merging(["control/qsentry/store": store + "\n", "control/qsentry/hostid": name + "\n",
                                              "control/qsentry/greylist": Self.greylist,
                                              "control/qsentry/auth-delay": "0\n", "control/qsentry/auth-requires-tls": "0\n"]) { a, _ in a },
                               front: [Run.program("qsentry-conn")])
        let program = try rig.root.write("bin/checkpassword", SMTPDAuthTests.checkpassword, mode: 0o755)
        try rig.root.write("control/qsentry/checkpassword", "\(program) /bin/true\n")
        return rig
    }

    func delivered(_ t: String) -> Bool { Swaks.replyCodes(t).suffix(4) == [250, 354, 250, 221] }

    func asAlice(_ rig: SMTPDRig) throws -> String {
        try rig.swaks(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "s3cret",
                       "--from", "alice@example.com", "--to", "friend@elsewhere.example"])
    }

    @Test func twoMXHostsShareOneGreylistAndOneSetOfSendingCounts() throws {
        let shared = try TempQmailRoot()
        let redis = try Redis(root: shared)
        let limits = ["control/qsentry/sending-limits": "messages-per-hour=3\n"]
        let mx1 = try host(redis.url, "mx1.example", limits), mx2 = try host(redis.url, "mx2.example", limits)
        let args = ["--from", "newcomer@example.org", "--to", "sales@example.com"]

        // Greylisted at MX 1; the sender's retry goes to MX 2, which knows the first attempt.
        let first = try mx1.swaks(args)
        #expect(first.contains("451 4.7.1 greylisted"), "\(first)")
        Thread.sleep(forTimeInterval: 1.2)
        let retry = try mx2.swaks(args)
        #expect(delivered(retry), "\(retry)")
        try Run.wait(for: "MX 2's log") { mx2.log.contains("greylist=passed") }
        // Remembered on both: MX 1 lets the next one through at once, and says why.
        #expect(delivered(try mx1.swaks(args)))
        try Run.wait(for: "MX 1's log") { mx1.log.contains("greylist=known") }
        let explained = try Run.command(Run.program("qsentry"), ["explain", "--ip", "127.0.0.1", "--from", "newcomer@example.org",
                                                                "--to", "sales@example.com"], environment: mx2.root.environment())
        #expect(explained.stdout.contains("greylist=known"), "\(explained.output)")

        // Alice's messages count once whichever host she submits to.
        #expect(delivered(try asAlice(mx1)))
        #expect(delivered(try asAlice(mx2)))
        #expect(delivered(try asAlice(mx1)))
        let fourth = try asAlice(mx2)
        #expect(fourth.contains("451 4.7.0 sending limit reached for alice@example.com"), "\(fourth)")
        let shown = try Run.command(Run.program("qsentry"), ["limits"], environment: mx1.root.environment())
        #expect(shown.stdout.contains("alice\tmessages 3/3 this hour"), "\(shown.output)")
        // A reset on one host is a reset for both.
        #expect(try Run.command(Run.program("qsentry"), ["limits", "--reset", "alice"], environment: mx2.root.environment()).status == 0)
        #expect(delivered(try asAlice(mx1)))
    }

    @Test func theMasterKilledMidRunLosesNoMailAndKeepsTheBans() throws {
        let shared = try TempQmailRoot()
        let cluster = try RedisSentinels(root: shared)
        let store = cluster.url(timeout: 300)
        let mx1 = try host(store, "mx1.example", ["control/qsentry/connection-limits": "concurrent=20\nper-minute=1000\n"])
        let mx2 = try host(store, "mx2.example", ["control/qsentry/connection-limits": "concurrent=20\nper-minute=1000\n"])
        let qsentry = { (rig: SMTPDRig, args: [String]) throws -> RunResult in
            try Run.command(Run.program("qsentry"), args, environment: rig.root.environment())
        }
        #expect(try qsentry(mx1, ["bans", "add", "127.0.0.9", "2h"]).status == 0)
        let banned = { (rig: SMTPDRig) throws -> String in
            try Swaks.run(server: rig.server.address, ["--local-interface", "127.0.0.9", "--quit-after", "RCPT",
                                                       "--from", "a@example.org", "--to", "sales@example.com"]).stdout
        }
        #expect(try banned(mx2).contains("451 4.7.1 127.0.0.9 is temporarily banned"))
        // A triplet that passed greylisting before the failover.
        let args = ["--from", "regular@example.org", "--to", "sales@example.com"]
        #expect(try mx1.swaks(args).contains("451 4.7.1 greylisted"))
        Thread.sleep(forTimeInterval: 1.2)
        #expect(delivered(try mx2.swaks(args)))
        try Run.wait(for: "the state on the replica") {
            ((try? cluster.replica.cli("KEYS", "qsentry:*").stdout) ?? "").contains("qsentry:ban:127.0.0.9")
                && ((try? cluster.replica.cli("KEYS", "qsentry:gl:*").stdout) ?? "").contains("regular@example.org")
        }
        let before = mx1.exim.messages.count + mx2.exim.messages.count

        try cluster.killMaster()
        // Mail keeps flowing while the sentinels decide and after: each message accepted (a store
        // that does not answer lets greylisting accept, the default), and no session held up
        // past a few deadlines.
        var sent = 0, worst = 0.0
        var promoted = false
        while !promoted || sent < 6 {
            let start = Date()
            let t = try (sent % 2 == 0 ? mx1 : mx2).swaks(args)
            worst = max(worst, Date().timeIntervalSince(start))
            #expect(delivered(t), "\(t)")
            sent += 1
            if !promoted, (try? cluster.currentMasterPort()) == cluster.replica.port { try cluster.waitForFailover(); promoted = true }
            #expect(sent < 200, "no failover")
            if sent >= 200 { break }
        }
        #expect(worst < 5, "a session took \(worst) s with a 300 ms store deadline")
        #expect(mx1.exim.messages.count + mx2.exim.messages.count == before + sent)
        // After the failover: the ban made before still holds on both hosts, the passed triplet is
        // still known, and a new one is greylisted (the store answers again).
        #expect(try banned(mx1).contains("451 4.7.1 127.0.0.9 is temporarily banned"))
        #expect(try banned(mx2).contains("451 4.7.1 127.0.0.9 is temporarily banned"))
        let known = try mx1.swaks(args)
        #expect(delivered(known), "\(known)")
        let fresh = try mx2.swaks(["--from", "newcomer@example.org", "--to", "sales@example.com"])
        #expect(fresh.contains("451 4.7.1 greylisted"), "\(fresh)")
        #expect(try qsentry(mx2, ["bans", "list"]).stdout.contains("127.0.0.9"))
        // Every program found the promoted replica and remembered it for the next process.
        for rig in [mx1, mx2] {
            let cached = try String(contentsOfFile: rig.root.path + "/qsentry/redis-master", encoding: .utf8)
            #expect(cached == "qsmaster 127.0.0.1 \(cluster.replica.port)\n", "\(cached)")
        }
    }
}
