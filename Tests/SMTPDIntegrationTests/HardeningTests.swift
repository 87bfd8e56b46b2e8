import Foundation
import Testing
import TestHarness

/// Issue 10, input hardening: hostile input through the real tcpserver → qsentry-smtpd → exim line
/// gets a clear reply, the session goes on where SMTP allows, and memory stays bounded.
@Suite struct HardeningTests {
    /// Sends everything at once (PIPELINING), then reads replies until the server closes.
    static func pipelined(_ address: String, _ payload: [UInt8], timeout: TimeInterval = 120) throws -> String {
        let port = UInt16(address.split(separator: ":").last!)!
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError.startFailed("connect \(address)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        // A writer thread, so a server that answers as it reads never deadlocks against us.
        let writer = Thread {
            var sent = 0
            while sent < payload.count {
                let n = payload[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
        }
        writer.start()
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func lines(_ commands: [String]) -> [UInt8] { Array(commands.map { $0 + "\r\n" }.joined().utf8) }

    @Test func overlongLinesAndNULBytesGetClearRepliesAndTheSessionGoesOn() throws {
        let rig = try SMTPDRig()
        var payload = Self.lines(["EHLO client.example.org"])
        payload += Array("MAIL FROM:<\(String(repeating: "a", count: 200_000))@example.org>\r\n".utf8)
        payload += Array("NOOP \0 hidden\r\n".utf8)
        payload += Self.lines(["MAIL FROM:<a@example.org>", "RCPT TO:<sales@example.com>", "QUIT"])
        let watch = PeakRSS(commandStartsWith: Run.program("qsentry-smtpd") + " " + rig.exim.command)
        let t = try Self.pipelined(rig.server.address, payload)
        let peak = watch.stop()
        #expect(t.contains("500 5.5.2 line too long"), "\(t.prefix(2000))")
        #expect(t.contains("501 5.5.2 NUL byte in command"), "\(t.prefix(2000))")
        #expect(t.hasSuffix("221 2.0.0 mx.example.com closing connection\r\n") || t.contains("\n221 "), "\(t.suffix(500))")
        #expect(t.components(separatedBy: "\r\n250 ").count >= 2, "MAIL and RCPT after the junk were accepted: \(t.suffix(500))")
        #expect(peak > 0 && peak <= 16 * 1024, "qsentry-smtpd peak RSS \(peak) kB")
    }

    @Test func tenThousandRecipientsGetAnAnswerEachInBoundedMemory() throws {
        let rig = try SMTPDRig(["control/qsentry/maxrcpt": "message=100\n"])
        var commands = ["EHLO client.example.org", "MAIL FROM:<a@example.org>"]
        commands += (0..<10_000).map { _ in "RCPT TO:<sales@example.com>" }
        commands.append("QUIT")
        let watch = PeakRSS(commandStartsWith: Run.program("qsentry-smtpd") + " " + rig.exim.command)
        let t = try Self.pipelined(rig.server.address, Self.lines(commands), timeout: 300)
        let peak = watch.stop()
        let replies = t.split(separator: "\r\n").map(String.init)
        #expect(replies.filter { $0.hasPrefix("452 4.5.3") }.count == 9_900, "\(t.suffix(300))")
        #expect(replies.last?.hasPrefix("221") == true, "\(t.suffix(300))")
        #expect(peak > 0 && peak <= 16 * 1024, "qsentry-smtpd peak RSS \(peak) kB")
    }

    @Test func hugeHeadersAndEightBitHeadersReachTheServerBehind() throws {
        let rig = try SMTPDRig()
        // 8-bit header bytes (raw UTF-8 and Latin-1) and a 0.9 MB header block of 20,000 fields (exim behind
        // refuses past 1 MB with 552, which qsentry-smtpd passes on; qmail has no such limit).
        var message = Array("Subject: caf\u{e9} cr\u{e8}me\r\nX-Latin1: ".utf8) + [0xE9, 0xE8] + Array("\r\n".utf8)
        for i in 0..<20_000 { message += Array("X-Filler-\(i): \(String(repeating: "x", count: 30))\r\n".utf8) }
        message += Array("\r\nbody\r\n".utf8)
        var payload = Self.lines(["EHLO client.example.org", "MAIL FROM:<a@example.org>", "RCPT TO:<sales@example.com>", "DATA"])
        payload += message + Array(".\r\n".utf8) + Self.lines(["QUIT"])
        let watch = PeakRSS(commandStartsWith: Run.program("qsentry-smtpd") + " " + rig.exim.command)
        let t = try Self.pipelined(rig.server.address, payload)
        let peak = watch.stop()
        let codes = t.split(separator: "\r\n").compactMap { Int($0.prefix(3)) }
        #expect(codes.suffix(3) == [354, 250, 221], "\(t.suffix(500))")
        let h = rig.exim.messages.first?.header ?? ""
        #expect(h.contains("X-Filler-19999") && h.contains("Subject: caf\u{e9} cr\u{e8}me") && h.contains("X-Latin1: \u{FFFD}\u{FFFD}"),
                "exim got \(h.utf8.count) header bytes")
        #expect(peak > 0 && peak <= 16 * 1024, "qsentry-smtpd peak RSS \(peak) kB")
    }
}
