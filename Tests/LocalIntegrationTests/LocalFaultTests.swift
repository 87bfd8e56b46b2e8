import Foundation
import Testing
import TestHarness

/// Issue 10, faults at delivery: the Maildir's disk full, the Redis store killed. qsentry-local
/// exits 111 (qmail-local retries), leaves nothing in new/ or tmp/, and the retry delivers.
@Suite struct LocalFaultTests {
    static func deliver(_ root: TempQmailRoot, home: String, _ message: String) throws -> RunResult {
        let env = root.environment(["SENDER": "a@example.org", "RECIPIENT": "joe@example.com", "USER": "joe", "HOME": home,
                                    "LOCAL": "joe", "HOST": "example.com", "EXT": "", "RPLINE": "Return-Path: <a@example.org>\n",
                                    "DTLINE": "Delivered-To: joe@example.com\n"])
        return try Run.command("/bin/sh", ["-c", "cd \"$HOME\" && exec \(Run.program("qsentry-local")) ./Maildir/"],
                               environment: env, stdin: Data(message.utf8))
    }

    static func files(_ dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] }

    @Test func maildirDiskFullIsTemporaryAndLeavesNothing() throws {
        let root = try TempQmailRoot()
        let disk = try TmpfsMount(at: root.path + "/home/joe", size: "1m")
        for d in ["tmp", "new", "cur"] { try FileManager.default.createDirectory(atPath: disk.path + "/Maildir/" + d, withIntermediateDirectories: true) }
        let message = "Subject: big\r\n\r\n" + String(repeating: "a line of a message that does not fit\r\n", count: 10_000)
        try disk.fill()
        let r = try Self.deliver(root, home: disk.path, message)
        #expect(r.status == 111, "\(r.output)")
        #expect(Self.files(disk.path + "/Maildir/new").isEmpty && Self.files(disk.path + "/Maildir/tmp").isEmpty,
                "new: \(Self.files(disk.path + "/Maildir/new")) tmp: \(Self.files(disk.path + "/Maildir/tmp"))")
        disk.free()
        let retry = try Self.deliver(root, home: disk.path, message)
        #expect(retry.status == 99, "\(retry.output)")
        #expect(Self.files(disk.path + "/Maildir/new").count == 1)
    }

    @Test func redisKilledIsTemporaryAndTheRetryDelivers() throws {
        let root = try TempQmailRoot()
        let home = root.path + "/home/joe"
        for d in ["tmp", "new", "cur"] { try FileManager.default.createDirectory(atPath: home + "/Maildir/" + d, withIntermediateDirectories: true) }
        var redis: Redis? = try Redis(root: root)
        try root.write("control/qsentry/store", redis!.url + "\n")
        try root.write("control/qsentry/bayes-min-learned", "20\n")
        try BayesCorpus.write(to: root.path + "/corpus", spam: 20, ham: 20)
        for kind in ["spam", "ham"] {
            let r = try Run.command(Run.program("qsentry"), ["learn", "--" + kind, root.path + "/corpus/" + kind], environment: root.environment())
            #expect(r.status == 0, "\(r.output)")
        }
        let message = BayesCorpus.message(spam: true, index: 700)
        #expect(try Self.deliver(root, home: home, message).status == 99)
        let url = redis!.url
        redis = nil  // the store goes away
        let r = try Self.deliver(root, home: home, message)
        #expect(r.status == 111, "\(r.output)")
        #expect(Self.files(home + "/Maildir/new").count == 1 && Self.files(home + "/Maildir/tmp").isEmpty)
        // A Redis back on the same address (empty: its data went with it): delivered, untagged until learnt again.
        let port = UInt16(url.split(separator: ":").last!)!
        let again = try ServerProcess(name: "redis-again", executable: "redis-server",
                                      arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                                      logDirectory: root.logDirectory)
        try again.waitUntil("redis") { (try? Run.command("redis-cli", ["-p", "\(port)", "ping"]).stdout.contains("PONG")) == true }
        let retry = try Self.deliver(root, home: home, message)
        #expect(retry.status == 99, "\(retry.output)")
        #expect(Self.files(home + "/Maildir/new").count == 2)
    }
}
