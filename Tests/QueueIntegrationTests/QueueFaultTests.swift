import Foundation
import Testing
import TestHarness

/// Issue 10, faults at DATA: the scanner killed mid-scan, the quarantine disk full, the spool disk
/// filling at the hand-over, the real qmail-queue crashing. Each time a temporary code (the sender
/// retries), nothing queued or kept in part, and the retry succeeds once the fault is gone.
@Suite struct QueueFaultTests {
    final class Rig {
        let root: TempQmailRoot
        var clamd: Clamd
        init() throws {
            root = try TempQmailRoot()
            _ = try QueueRun.recordingQueue(in: root)
            try root.write("control/me", "mx.example.com\n")
            try root.write("control/qsentry/keywords", "cheap meds\n")
            clamd = try Clamd(root: root, streamMaxLength: "100M")
            try root.write("control/qsentry/clamd", clamd.socketPath + "\n")
        }
        func run(_ message: Data) throws -> QueueRun {
            try QueueRun(root: root, messageBytes: message, envelope: QueueRun.envelope("a@example.org", ["sales@example.com"]))
        }
        var queued: Int { QueueRun.queued(in: root).count }
    }

    /// Sockets bound to `path` that a client has connected to (/proc/net/unix lists both ends).
    static func connections(to path: String) -> Int {
        let table = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").filter { $0.hasSuffix(" " + path) }.count - 1
    }

    @Test func clamdKilledMidScanDefersThenTheRetryIsScanned() throws {
        let rig = try Rig()
        // 40 MB of text: long enough a stream that clamd is still reading it when it dies.
        let line = Array("the quick brown fox jumps over the lazy dog 0123456789\r\n".utf8)
        var message = Array("Subject: big\r\n\r\n".utf8)
        message.reserveCapacity(41 << 20)
        while message.count < 40 << 20 { message += line }
        let pid = Int32(try String(contentsOfFile: (rig.clamd.configPath as NSString).deletingLastPathComponent + "/clamd.pid",
                                   encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        let socket = rig.clamd.socketPath
        let killer = Thread {
            let deadline = Date().addingTimeInterval(30)
            while Self.connections(to: socket) < 1 && Date() < deadline { usleep(500) }
            kill(pid, SIGKILL)
        }
        killer.start()
        let r = try rig.run(Data(message))
        #expect(r.status == 71, "\(r.stderr)")
        #expect(r.stderr.contains("verdict=defer") && r.stderr.contains("rule=virus-temporary"), "\(r.stderr)")
        #expect(rig.queued == 0)
        // clamd back (a new one): the same message goes through, scanned.
        rig.clamd = try Clamd(root: rig.root, streamMaxLength: "100M")
        try rig.root.write("control/qsentry/clamd", rig.clamd.socketPath + "\n")
        let retry = try rig.run(Data(message))
        #expect(retry.status == 0 && retry.stderr.contains("checks=virus:clean"), "\(retry.stderr)")
        #expect(rig.queued == 1)
    }

    @Test func quarantineDiskFullDefersAndKeepsNoPart() throws {
        let rig = try Rig()
        let disk = try TmpfsMount(at: rig.root.path + "/quarantine-disk", size: "2m")
        try rig.root.write("control/qsentry/quarantine", disk.path + "/q\n")
        let spam = Data(("Subject: offer\r\n\r\ncheap meds\r\n" + String(repeating: "filler line of text\r\n", count: 20_000)).utf8)
        try disk.fill()
        let r = try rig.run(spam)
        #expect(r.status == 71, "\(r.stderr)")
        #expect(r.stderr.contains("verdict=defer") && r.stderr.contains("rule=quarantine-temporary") && r.stderr.contains("refused-by=keyword"),
                "\(r.stderr)")
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: disk.path + "/q/tmp")) ?? []
        #expect(tmp.isEmpty, "partial quarantine files: \(tmp)")
        #expect(rig.queued == 0)
        disk.free()
        let retry = try rig.run(spam)
        #expect(retry.status == 31 && retry.stderr.contains("quarantine="), "\(retry.stderr)")
    }

    @Test func theSpoolDiskFillingAtTheHandOverIsAWriteErrorThatSaysWhy() throws {
        let rig = try Rig()
        // TMPDIR on a 1 MB disk: room for the received message (some 630 KB) but not for the
        // second copy, with our header fields, that qmail-queue is to read.
        let disk = try TmpfsMount(at: rig.root.path + "/spool-disk", size: "1m")
        let message = Data(("Subject: hi\r\n\r\n" + String(repeating: "filler line of text\r\n", count: 30_000)).utf8)
        let envelope = QueueRun.envelope("a@example.org", ["sales@example.com"])
        let r = try QueueRun(root: rig.root, messageBytes: message, envelope: envelope, environment: ["TMPDIR": disk.path])
        // 53, as qmail-queue's own "write error or disk full": qmail-smtpd answers 451, the sender retries.
        #expect(r.status == 53, "\(r.stderr)")
        #expect(r.stderr.contains("cannot write the message for \(rig.root.path)/bin/qmail-queue in \(disk.path): No space left on device"),
                "\(r.stderr)")
        #expect(rig.queued == 0)
        let retry = try QueueRun(root: rig.root, messageBytes: message, envelope: envelope)
        #expect(retry.status == 0 && rig.queued == 1, "\(retry.stderr)")
    }

    @Test func qmailQueueCrashingIsTemporary() throws {
        let rig = try Rig()
        let real = rig.root.path + "/bin/qmail-queue"
        try FileManager.default.moveItem(atPath: real, toPath: real + ".real")
        try rig.root.write("bin/qmail-queue", "#!/bin/sh\ncat > /dev/null\nkill -SEGV $$\n", mode: 0o755)
        let r = try rig.run(Data("Subject: hi\r\n\r\nhello\r\n".utf8))
        // qsentry-queue became qmail-queue, so qmail-smtpd sees the crash itself and answers
        // "451 qq crashed": temporary, as for a qmail-queue run directly.
        #expect(r.status == 128 + SIGSEGV, "\(r.stderr)")
        #expect(r.stderr.contains("verdict=accept"), "\(r.stderr)")
        try FileManager.default.removeItem(atPath: real)
        try FileManager.default.moveItem(atPath: real + ".real", toPath: real)
        let retry = try rig.run(Data("Subject: hi\r\n\r\nhello\r\n".utf8))
        #expect(retry.status == 0 && rig.queued == 1, "\(retry.stderr)")
    }
}
