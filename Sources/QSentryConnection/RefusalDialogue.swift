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

    /// Talks on fds 0/1 until QUIT, end of input or the timeout; never returns.
    public func run() -> Never {
        if timeout == 0 {
            send(reply.wire)
            exit(0)
        }
        signal(SIGALRM) { _ in _exit(0) }
        alarm(UInt32(timeout))
        send("220 \(host) ESMTP\r\n")
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { exit(0) }
            buffer.append(contentsOf: chunk[0..<n])
            while let nl = buffer.firstIndex(of: 0x0A) {
                answer(Array(buffer[..<nl]))
                buffer.removeSubrange(...nl)
            }
            if buffer.count > Self.maxLine {
                send(reply.wire)
                buffer.removeAll()
            }
        }
    }

    func answer(_ line: [UInt8]) {
        let verb = String(decoding: line.prefix(while: { $0 != 0x20 && $0 != 0x0D }).prefix(8), as: UTF8.self).asciiLowercased
        switch verb {
        case "quit":
            send("221 \(host)\r\n")
            exit(0)
        case "helo", "ehlo", "mail", "rset", "noop":
            send("250 \(host)\r\n")
        default:
            send(reply.wire)
        }
    }

    func send(_ s: String) {
        do { try FileBytes.writeAll(1, Array(s.utf8), path: "stdout") } catch { exit(0) }
    }

    /// rblsmtpd's cleaning of a refusal text: at most 200 characters, printable ASCII only.
    public static func clean(_ text: String) -> String {
        String(decoding: text.utf8.prefix(200).map { $0 < 32 || $0 > 126 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}
