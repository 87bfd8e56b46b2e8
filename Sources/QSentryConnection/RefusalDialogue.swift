#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import QSentryCore

/// rblsmtpd's dialogue, so a refusal works in front of plain qmail-smtpd (C11): greet, answer
/// HELO/EHLO/MAIL/RSET/NOOP with 250, QUIT with 221, every other command with the refusal
/// (451 temporary, 553 permanent), and drop the client after `timeout` seconds.
public struct RefusalDialogue {
    public let reply: SMTPReply
    public let host: String
    public let timeout: Int
    /// Longest command line read; longer input is answered with the refusal too.
    static let maxLine = 1000

    public init(reply: SMTPReply, host: String, timeout: Int) {
        self.reply = reply
        self.host = host
        self.timeout = timeout
    }

    /// Talks on fds 0/1 until QUIT, end of input, a write error or the timeout, then returns.
    public func run() {
        if timeout == 0 {
            _ = send(reply.wire)
            return
        }
        let deadline = monotonicMilliseconds() + timeout * 1000
        // A client that stops reading could block a write past the deadline: SIGALRM's default
        // action ends the process a second later, whatever it is doing.
        signal(SIGALRM, SIG_DFL)
        alarm(UInt32(min(timeout + 1, Int(UInt32.max))))
        guard send("220 \(host) ESMTP\r\n") else { return }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let left = deadline - monotonicMilliseconds()
            guard left > 0, FileBytes.waitReadable(0, milliseconds: left) == true else { return }
            let n = chunk.withUnsafeMutableBytes { FileBytes.readSome(0, into: $0) }
            if n <= 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            while let nl = buffer.firstIndex(of: 0x0A) {
                guard answer(Array(buffer[..<nl])) else { return }
                buffer.removeSubrange(...nl)
            }
            if buffer.count > Self.maxLine {
                guard send(reply.wire) else { return }
                buffer.removeAll()
            }
        }
    }

    /// Answers one command; false when the dialogue is over (QUIT, or the client is gone).
    func answer(_ line: [UInt8]) -> Bool {
        let verb = String(decoding: line.prefix(while: { $0 != 0x20 && $0 != 0x0D }).prefix(8), as: UTF8.self).asciiLowercased
        switch verb {
        case "quit":
            _ = send("221 \(host)\r\n")
            return false
        case "helo", "ehlo", "mail", "rset", "noop":
            return send("250 \(host)\r\n")
        default:
            return send(reply.wire)
        }
    }

    func send(_ s: String) -> Bool {
        (try? FileBytes.writeAll(1, Array(s.utf8), path: "stdout")) != nil
    }

    /// rblsmtpd's cleaning of a refusal text: at most 200 characters, printable ASCII only.
    public static func clean(_ text: String) -> String {
        String(decoding: text.utf8.prefix(200).map { $0 < 32 || $0 > 126 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}
