import Testing
@testable import QSentrySMTPD

/// Where DATA ends and what passes, byte by byte, as qmail-smtpd would see it.
@Suite struct DataStreamTests {
    func run(_ text: String, chunk: Int = 3) -> (out: String, used: Int, finished: Bool) {
        var s = DataStream()
        return run(text, chunk: chunk, stream: &s)
    }

    /// The same through `s`, which is left as the stream ended.
    func run(_ text: String, chunk: Int, stream s: inout DataStream) -> (out: String, used: Int, finished: Bool) {
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

    /// E20: the published smuggling endings are message text; only CR LF "." CR LF ends it.
    @Test func smugglingEndingsDoNotEnd() {
        for ending in ["\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r\n.\n", "\r\n.\rX\r\n"] {
            let r = run("a" + ending + "MAIL FROM:<x@y>\r\n")
            #expect(!r.finished, "\(ending.debugDescription)")
            #expect(r.out.utf8.count == r.used)
        }
        var s = DataStream()
        _ = s.feed(Array("a\n.\n".utf8)[...])
        #expect(s.sawBareLineFeed)
        var clean = DataStream()
        _ = clean.feed(Array("a\rb\r\n.\r\n".utf8)[...])
        #expect(clean.finished && !clean.sawBareLineFeed)
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

    /// The body is skipped between CRs and LFs; whatever the chunking, the end must be found where
    /// a byte-by-byte reading of RFC 5321's rule finds it (CR LF "." CR LF).
    @Test func chunkingNeverMovesTheEnd() {
        let pieces = ["a", ".", "..", "\r", "\n", "\r\n", ".\r", " ", "x.y", "\r\r"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            var text = "Subject: t\r\n\r\n"
            for _ in 0..<Int.random(in: 1...30, using: &rng) { text += pieces.randomElement(using: &rng)! }
            text += "\r\n.\r\nQUIT\r\n"
            let expected = Self.referenceEnd(Array(text.utf8))
            let bare = Self.referenceBareLineFeed(Array(text.utf8)[..<expected])
            for chunk in [1, 2, 3, 5, 8, 64] {
                var s = DataStream()
                let r = run(text, chunk: chunk, stream: &s)
                #expect(r.finished && r.used == expected, "chunk \(chunk): \(text.debugDescription)")
                #expect(s.sawBareLineFeed == bare, "chunk \(chunk): \(text.debugDescription)")
            }
        }
    }

    /// Whether an LF of the message has no CR before it (the start of DATA counts as after CR LF).
    static func referenceBareLineFeed(_ bytes: ArraySlice<UInt8>) -> Bool {
        let b = Array(bytes)
        return b.indices.contains { b[$0] == 0x0A && ($0 == 0 || b[$0 - 1] != 0x0D) }
    }

    /// Bytes up to and including the LF that ends the message, read one byte at a time.
    static func referenceEnd(_ bytes: [UInt8]) -> Int {
        let end = Array("\r\n.\r\n".utf8)
        let padded = Array("\r\n".utf8) + bytes
        for i in 0..<(padded.count - 4) where Array(padded[i..<(i + 5)]) == end { return i + 5 - 2 }
        return -1
    }

    /// A body of long lines (past the search window) passes whole and ends where it should.
    @Test func longLinesPassWhole() {
        let line = String(repeating: "x", count: 1000)
        let body = "Subject: s\r\n\r\n" + line + "\r\n" + line + "\n" + line + "\r\n.\r\nQUIT\r\n"
        for chunk in [1, 7, 255, 256, 257, 4096] {
            let r = run(body, chunk: chunk)
            #expect(r.finished)
            #expect(r.out == "Subject: s\r\n\r\n" + line + "\r\n" + line + "\n" + line + "\r\n.\r\n")
            #expect(r.used == body.utf8.count - "QUIT\r\n".utf8.count)
        }
    }
}
