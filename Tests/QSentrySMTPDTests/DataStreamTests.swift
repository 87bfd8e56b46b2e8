import Testing
@testable import QSentrySMTPD

/// Where DATA ends and what passes, byte by byte, as qmail-smtpd would see it.
@Suite struct DataStreamTests {
    func run(_ text: String, chunk: Int = 3) -> (out: String, used: Int, finished: Bool) {
        var s = DataStream()
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var used = 0
        var i = 0
        while i < bytes.count && !s.finished {
            let (o, u) = s.feed(bytes[i..<min(bytes.count, i + chunk)])
            out += o
            used += u
            i += u
        }
        return (String(decoding: out, as: UTF8.self), used, s.finished)
    }

    @Test func endsAtDotLineAndLeavesPipelinedCommands() {
        let r = run("Subject: x\r\n\r\nbody\r\n..dot\r\n.\r\nQUIT\r\n")
        #expect(r.finished)
        #expect(r.out == "Subject: x\r\n\r\nbody\r\n..dot\r\n.\r\n")
        #expect(r.used == r.out.utf8.count)
    }

    @Test func bareLFDotEndsToo() {
        #expect(run("a\n.\nRSET\n").out == "a\n.\n")
    }

    @Test func dotInsideALineDoesNotEnd() {
        let r = run("a.\r\n .\r\nb\r\n")
        #expect(!r.finished)
    }

    @Test func ourHeadersAreDroppedWithContinuations() {
        let r = run("X-QSentry-Spam: no\r\n  folded\r\nx-qsentry-other: 1\r\nSubject: s\r\n\r\nX-QSentry-In-Body: stays\r\n.\r\n", chunk: 7)
        #expect(r.out == "Subject: s\r\n\r\nX-QSentry-In-Body: stays\r\n.\r\n")
    }

    @Test func emptyMessage() {
        #expect(run(".\r\n").out == ".\r\n")
    }

    /// The body is scanned a line at a time; whatever the chunking, the end must be found where a
    /// byte-by-byte reading of qmail-smtpd's rule finds it (a line of "." then only CRs, then LF).
    @Test func chunkingNeverMovesTheEnd() {
        let pieces = ["a", ".", "..", "\r", "\n", "\r\n", ".\r", " ", "x.y", "\r\r"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            var text = "Subject: t\r\n\r\n"
            for _ in 0..<Int.random(in: 1...30, using: &rng) { text += pieces.randomElement(using: &rng)! }
            text += "\r\n.\r\nQUIT\r\n"
            let expected = Self.referenceEnd(Array(text.utf8))
            for chunk in [1, 2, 3, 5, 8, 64] {
                let r = run(text, chunk: chunk)
                #expect(r.finished && r.used == expected, "chunk \(chunk): \(text.debugDescription)")
            }
        }
    }

    /// Bytes up to and including the LF that ends the message, read one byte at a time.
    static func referenceEnd(_ bytes: [UInt8]) -> Int {
        var atLineStart = true, dotLine = false
        for (i, b) in bytes.enumerated() {
            if atLineStart { dotLine = b == UInt8(ascii: ".") } else if dotLine && b != 0x0D && b != 0x0A { dotLine = false }
            if b == 0x0A {
                if dotLine { return i + 1 }
                atLineStart = true
            } else {
                atLineStart = false
            }
        }
        return -1
    }
}
