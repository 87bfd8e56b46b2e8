import Foundation
import Testing
import TestHarness

/// Issue 10, input hardening at DATA: hostile messages through the real qsentry-queue (with a
/// real clamd) get a clear verdict, and its memory stays bounded.
@Suite struct QueueHardeningTests {
    func rig() throws -> (TempQmailRoot, Clamd) {
        let root = try TempQmailRoot()
        _ = try QueueRun.recordingQueue(in: root)
        try root.write("control/me", "mx.example.com\n")
        let clamd = try Clamd(root: root)
        try root.write("control/qsentry/clamd", clamd.socketPath + "\n")
        try root.write("control/qsentry/keywords", "cheap meds\n")
        return (root, clamd)
    }

    func run(_ root: TempQmailRoot, _ message: Data) throws -> (QueueRun, Int) {
        let watch = PeakRSS(commandStartsWith: Run.program("qsentry-queue"))
        let r = try QueueRun(root: root, messageBytes: message, envelope: QueueRun.envelope("a@example.org", ["sales@example.com"]))
        return (r, watch.stop())
    }

    /// 5,000 levels of multipart, the phrase at the bottom: parsed to the depth limit, then opaque.
    @Test func deeplyNestedMIMEIsBounded() throws {
        let (root, clamd) = try rig()
        defer { withExtendedLifetime(clamd) {} }  // clamd stops when its object goes
        var message = "Subject: nest\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
        for i in 0..<5_000 { message += "--b\(i)\r\nContent-Type: multipart/mixed; boundary=b\(i + 1)\r\n\r\n" }
        message += "--b5000\r\nContent-Type: text/plain\r\n\r\ncheap meds\r\n"
        let (r, peak) = try run(root, Data(message.utf8))
        #expect(r.status == 0 || r.status == 31, "\(r.stderr)")
        #expect(r.stderr.contains("verdict="), "\(r.stderr)")
        #expect(peak > 0 && peak <= 32 * 1024, "qsentry-queue peak RSS \(peak) kB")
    }

    /// A 200 MB file of zeros deflated to a few hundred KB: clamd's limits end the scan, clamd
    /// lives on, and the message gets a verdict without qsentry-queue's memory growing with it.
    @Test func aZipBombGetsAVerdictAndClamdSurvives() throws {
        let (root, clamd) = try rig()
        let zip = root.path + "/bomb.zip"
        let made = try Run.command("python3", ["-c", """
            import zipfile, sys
            with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
                with z.open('zeros.bin', 'w', force_zip64=True) as f:
                    block = bytes(1 << 20)
                    for _ in range(200): f.write(block)
            """, zip], timeout: 120)
        #expect(made.status == 0, "\(made.output)")
        let b64 = try Data(contentsOf: URL(fileURLWithPath: zip)).base64EncodedString(options: .lineLength76Characters)
        let message = "Subject: bomb\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: application/zip; name=\"bomb.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\(b64)\r\n--z--\r\n"
        let (r, peak) = try run(root, Data(message.utf8))
        #expect(r.status == 0 || r.status == 31, "\(r.stderr)")  // a verdict, not a scanner failure
        #expect(r.stderr.contains("checks=virus:"), "\(r.stderr)")
        #expect(peak > 0 && peak <= 32 * 1024, "qsentry-queue peak RSS \(peak) kB")
        // clamd is still there for the next message.
        let eicar = try run(root, Data("Subject: t\r\n\r\n\(Clamd.eicar)\r\n".utf8)).0
        #expect(eicar.status == 31 && eicar.stderr.contains("rule=virus"), "\(eicar.stderr)")
        _ = clamd
    }

    /// Found by fuzzing: an HTML link with an empty target crashed the MIME reader.
    @Test func emptyLinksInHTML() throws {
        let (root, clamd) = try rig()
        defer { withExtendedLifetime(clamd) {} }
        let (r, _) = try run(root, Data("Subject: x\r\nContent-Type: text/html\r\n\r\n<a href=\"\">click</a><a href=>here</a>\r\n".utf8))
        #expect(r.status == 0 && r.stderr.contains("verdict=accept"), "\(r.stderr)")
    }

    /// 8 MB of header (one 4 MB field and 100,000 short ones), 8-bit bytes, NULs in the body.
    @Test func hugeHeadersEightBitAndNULs() throws {
        let (root, clamd) = try rig()
        defer { withExtendedLifetime(clamd) {} }  // clamd stops when its object goes
        var message = Array("Subject: caf".utf8) + [0xE9] + Array("\r\nX-Long: ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 4 << 20)
        message += Array("\r\n".utf8)
        for i in 0..<100_000 { message += Array("X-F\(i): y\r\n".utf8) }
        message += Array("\r\nbody with \0 NUL bytes \0 and 8-bit \u{00FF}\r\n".utf8)
        let (r, peak) = try run(root, Data(message))
        #expect(r.status == 0, "\(r.stderr)")
        let queued = QueueRun.queued(in: root).first?.message.utf8.count ?? 0
        #expect(queued >= message.count, "queued \(queued) of \(message.count) bytes")
        #expect(peak > 0 && peak <= 32 * 1024, "qsentry-queue peak RSS \(peak) kB")
    }
}
