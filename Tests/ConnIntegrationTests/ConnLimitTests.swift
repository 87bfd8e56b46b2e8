import Foundation
import Testing
import TestHarness

/// C12 through real tcpserver and qsentry-conn with real parallel connections: past the
/// concurrency limit 451 before the greeting; a session that ends (even killed) frees its slot.
@Suite struct ConnLimitTests {
    /// What a client says: a refused one hears 451 to RCPT, as from rblsmtpd.
    static let dialogue = ["HELO client.example", "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.com>", "QUIT"]

    @Test func concurrentConnectionsFromOneAddressAreLimited() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/connection-limits", "concurrent=2\nper-minute=100\n")
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        // Two sessions held open from 127.0.0.6 (they read the greeting and wait).
        var held: [Process] = []
        for _ in 0..<2 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            p.arguments = ["-c", """
                import socket, sys, time
                s = socket.socket(); s.bind(("127.0.0.6", 0)); s.connect(("127.0.0.1", \(server.port)))
                sys.stdout.write(s.recv(200).decode()); sys.stdout.flush(); time.sleep(8)
                """]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            held.append(p)
            // Wait for its greeting: the slot is taken once qsentry-conn ran.
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            #expect(line.contains("220 downstream"), "\(line)")
        }
        defer { for p in held where p.isRunning { p.terminate() } }
        let third = try RawClient.talkFirst(port: server.port, lines: Self.dialogue, from: "127.0.0.6")
        #expect(third.contains("451 4.7.1 too many connections from 127.0.0.6"), "\(third)")
        // Another address is not affected.
        let other = try RawClient.talkFirst(port: server.port, lines: ["QUIT"], from: "127.0.0.7")
        #expect(other.contains("220 downstream"), "\(other)")
        // Killing one held client ends its session: its slot is free again.
        held[0].terminate()
        held[0].waitUntilExit()
        try Run.wait(for: "the freed slot") {
            (try? RawClient.talkFirst(port: server.port, lines: ["QUIT"], from: "127.0.0.6"))?.contains("220 downstream") == true
        }
        try Run.wait(for: "the log word") { server.server.stderr.contains("rule=too-many-connections") }
    }

    @Test func connectionsAMinuteAreLimited() throws {
        let root = try TempQmailRoot()
        try root.write("control/qsentry/connection-limits", "per-minute=3\n")
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        for _ in 0..<3 {
            let t = try RawClient.talkFirst(port: server.port, lines: ["QUIT"], from: "127.0.0.8")
            #expect(t.contains("220 downstream"), "\(t)")
        }
        let fourth = try RawClient.talkFirst(port: server.port, lines: Self.dialogue, from: "127.0.0.8")
        #expect(fourth.contains("451 4.7.1 127.0.0.8 connects too often"), "\(fourth)")
    }

    /// Two MX hosts on one Redis: a client's connections count on both (C12 shared across hosts).
    @Test func twoMXHostsCountAClientsConnectionsTogether() throws {
        let shared = try TempQmailRoot()
        let redis = try Redis(root: shared)
        let servers = try ["mx1.example", "mx2.example"].map { name -> TCPServer in
            let root = try TempQmailRoot()
            try root.write("control/qsentry/store", redis.url + "\n")
            try root.write("control/qsentry/hostid", name + "\n")
            try root.write("control/qsentry/connection-limits", "per-minute=3\n")
            return try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        }
        for port in [servers[0].port, servers[1].port, servers[0].port] {
            let t = try RawClient.talkFirst(port: port, lines: ["QUIT"], from: "127.0.0.9")
            #expect(t.contains("220 downstream"), "\(t)")
        }
        let fourth = try RawClient.talkFirst(port: servers[1].port, lines: Self.dialogue, from: "127.0.0.9")
        #expect(fourth.contains("451 4.7.1 127.0.0.9 connects too often"), "\(fourth)")
    }

    /// Bans and connection limits together cost qsentry-conn one Redis round trip: the ban status
    /// is read in the limits' pipeline (one GET a connection, never a second exchange for it).
    @Test func bansAndLimitsTogetherAreOneRoundTrip() throws {
        let root = try TempQmailRoot()
        let redis = try Redis(root: root)
        try root.write("control/qsentry/store", redis.url + "\n")
        try root.write("control/qsentry/connection-limits", "concurrent=10\nper-minute=100\n")
        let server = try TCPServer(root: root, command: [Run.program("qsentry-conn"), try Downstream.smtpd(in: root)])
        _ = try redis.cli("CONFIG", "RESETSTAT")
        for _ in 0..<5 {
            let t = try RawClient.talkFirst(port: server.port, lines: ["QUIT"], from: "127.0.0.10")
            #expect(t.contains("220 downstream"), "\(t)")
        }
        try Run.wait(for: "the limits' log word") { server.server.stderr.contains("open=1,minute=5") }
        let stats = try redis.cli("INFO", "commandstats").stdout
        #expect(stats.contains("cmdstat_get:calls=5,") && stats.contains("cmdstat_zcard:calls=10,"), "\(stats)")
        // Each session's slot was left for the next to clear: four removals, none waited for.
        #expect(stats.contains("cmdstat_zrem:calls=4,"), "\(stats)")
    }
}
