import Foundation
import Testing
import TestHarness

/// Bans and shared reputation before the greeting (C7, C8), through real tcpserver and qsentry-conn,
/// with the embedded store and with a real redis-server shared by three MX hosts.
@Suite struct ConnStoreTests {
    func qsentry(_ root: TempQmailRoot, _ args: [String]) throws -> RunResult {
        try Run.command(Run.program("qsentry"), args, environment: root.environment())
    }

    func session(_ server: TCPServer, from ip: String) throws -> String {
        try Swaks.run(server: server.address, ["--local-interface", ip, "--quit-after", "RCPT",
                                               "--to", "user@example.com", "--from", "a@example.org"]).stdout
    }

    @Test func adminBanRefusesBeforeTheGreetingUntilRemoved() throws {
        let root = try TempQmailRoot()
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        #expect(try qsentry(root, ["bans", "add", "127.0.0.2", "30m"]).status == 0)
        #expect(try qsentry(root, ["bans", "list"]).stdout.contains("127.0.0.2"))
        let t = try session(server, from: "127.0.0.2")
        #expect(t.contains("451 4.7.1 127.0.0.2 is temporarily banned"), "\(t)")
        #expect(!t.contains("downstream"))
        #expect(try session(server, from: "127.0.0.3").contains("220 downstream"))
        #expect(try qsentry(root, ["bans", "remove", "127.0.0.2"]).status == 0)
        #expect(try session(server, from: "127.0.0.2").contains("220 downstream"))
    }

    @Test func allowListedAddressesAreNeverBanned() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/ipallow", "127.0.0.4\n")
        let add = try qsentry(root, ["bans", "add", "127.0.0.4"])
        #expect(add.status != 0)
        #expect(add.stderr.contains("allow-listed"))
        try root.write("control/qsentry/bans", "events=1\n")
        #expect(try qsentry(root, ["bans", "report", "127.0.0.4", "honeypot"]).status == 0)
        #expect(!(try qsentry(root, ["bans", "list"]).stdout.contains("127.0.0.4")))
    }

    @Test func earlyTalkersEarnABan() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/greetdelay", "300\n")
        try root.write("control/qsentry/bans", "events=2\nwindow=10m\nduration=30m\n")
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        for _ in 0..<2 {
            let t = try RawClient.talkFirst(port: server.port, lines: ["EHLO bot", "QUIT"], from: "127.0.0.5")
            #expect(t.contains("221"), "\(t)")
        }
        // Now banned before the greeting, even when it behaves.
        #expect(try session(server, from: "127.0.0.5").contains("451 4.7.1 127.0.0.5 is temporarily banned"))
        #expect(try qsentry(root, ["reputation", "127.0.0.5"]).stdout.contains("events (10 min): 2"))
    }

    @Test func threeMXHostsShareReputationThroughRedis() throws {
        let shared = try TempQmailRoot()
        let redis = try Redis(root: shared)
        var roots: [TempQmailRoot] = []
        var servers: [TCPServer] = []
        for host in ["mx1", "mx2", "mx3"] {
            let root = try TempQmailRoot()
            try root.write("control/qsentry/store", redis.url + "\n")
            try root.write("control/qsentry/hostid", host + ".example\n")
            try root.write("control/qsentry/greetdelay", "300\n")
            try root.write("control/qsentry/bans", "events=100\n")
            // A window long enough for a loaded machine (8 s once let the first report age out mid-test).
            try root.write("control/qsentry/reputation", "reporters=2\nwindow=15s\n")
            roots.append(root)
            servers.append(try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)]))
        }
        let spammer = "127.0.0.60"
        // Reported by MX 1 only: MX 3 still accepts it.
        _ = try RawClient.talkFirst(port: servers[0].port, lines: ["EHLO bot", "QUIT"], from: spammer)
        #expect(try session(servers[2], from: spammer).contains("220 downstream"))
        // A second reporter: MX 2 and MX 3 now refuse it before the greeting.
        _ = try RawClient.talkFirst(port: servers[1].port, lines: ["EHLO bot", "QUIT"], from: spammer)
        let rep = try qsentry(roots[2], ["reputation", spammer]).stdout
        #expect(rep.contains("2 of 2 mx1.example mx2.example"), "\(rep)")
        let reported = Date()
        for server in servers[1...] {
            let t = try session(server, from: spammer)
            #expect(t.contains("451 4.7.1 127.0.0.60 is reported for spam by several mail servers"), "\(t)")
        }
        #expect(try session(servers[2], from: "127.0.0.61").contains("220 downstream"))
        // Reports age out: accepted again after the window.
        Thread.sleep(forTimeInterval: max(0, 15.5 - Date().timeIntervalSince(reported)))
        #expect(try session(servers[2], from: spammer).contains("220 downstream"))
    }

    @Test func redisDownMailKeepsFlowing() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        try root.write("control/qsentry/store", redis.url + "\n")
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        #expect(try session(server, from: "127.0.0.2").contains("220 downstream"))
        redis.server.stop()
        let t = try session(server, from: "127.0.0.2")
        #expect(t.contains("220 downstream"), "\(t)")
        try Run.wait(for: "store error in the log") { server.server.stderr.contains("store=error") }
    }

    @Test(arguments: ["embedded", "redis"])
    func manyWritersAtOnceLoseNothing(_ backend: String) throws {
        let root = try TempQmailRoot()
        var redis: Redis?
        if backend == "redis" {
            redis = try Redis(root: root)
            try root.write("control/qsentry/store", redis!.url + "\n")
        }
        try root.write("control/qsentry/bans", "events=100000\n")
        // 40 processes at once, 25 events each, through the real CLI.
        let script = try root.write("bin/writer", """
        #!/bin/sh
        i=0
        while [ $i -lt 25 ]; do "$1" bans report 198.51.100.7 spam || exit 1; i=$((i+1)); done
        """, mode: 0o755)
        let writers = try (0..<40).map { n in
            try ServerProcess(name: "writer\(n)", executable: script, arguments: [Run.program("qsentry")],
                              environment: root.environment(), logDirectory: root.logDirectory)
        }
        for w in writers { try w.waitUntil("writer to finish", timeout: 120) { !w.isRunning } }
        for w in writers { #expect(w.stderr.isEmpty, "\(w.stderr)") }
        let rep = try qsentry(root, ["reputation", "198.51.100.7"]).stdout
        #expect(rep.contains("events (10 min): 1000"), "\(rep)")
        if backend == "embedded" {
            let check = try Run.command("python3", ["-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                print(db.execute('PRAGMA integrity_check').fetchone()[0], db.execute('SELECT COUNT(*) FROM events').fetchone()[0])
                """, root.path + "/qsentry/store.sqlite"])
            #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok 1000", "\(check.output)")
        }
    }
}
