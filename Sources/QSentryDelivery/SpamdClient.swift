#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// D3: SpamAssassin's spamd as a second opinion, over the spamc protocol (spamd(1p), the
/// `CHECK` command): the message goes out with its length and the user, one header line comes
/// back: `Spam: True ; 15.3 / 5.0`. Like spamc, large messages are not sent (spamd's rules are
/// written for normal mail, and the time is not worth it).
public struct SpamdClient {
    public let address: ServiceAddress
    public var timeoutSeconds = 30
    /// spamc's default `--max-size`.
    public var maxSize = 500 * 1024

    public init(address: ServiceAddress) { self.address = address }

    public enum Answer: Equatable, Sendable {
        case verdict(isSpam: Bool, score: Double, required: Double)
        /// Not asked (too large).
        case skipped(String)
        /// No usable answer: spamd down, timed out, or said something else.
        case failed(String)
    }

    /// spamd's PING: nil when it answers PONG, else what went wrong.
    public func ping() -> String? {
        let sock: StreamSocket
        switch StreamSocket.connect(address, timeoutSeconds: 5) {
        case .success(let s): sock = s
        case .failure(let e): return e.description
        }
        defer { sock.close() }
        guard sock.send("PING SPAMC/1.5\r\n\r\n") else { return "write: \(String(cString: strerror(errno)))" }
        sock.finishSending()
        guard let out = sock.receive(limit: 1024) else { return "no answer to PING" }
        let line = String(decoding: out.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
        return line.hasPrefix("SPAMD/") && line.hasSuffix(" PONG") ? nil : "answered \"\(line)\" to PING"
    }

    /// Sends the message open on `fd` (read from its start, `size` bytes).
    public func check(fd: Int32, size: Int, user: String) -> Answer {
        if size > maxSize { return .skipped("larger than \(maxSize) bytes") }
        let sock: StreamSocket
        switch StreamSocket.connect(address, timeoutSeconds: timeoutSeconds) {
        case .success(let s): sock = s
        case .failure(let e): return .failed("spamd: \(e)")
        }
        defer { sock.close() }
        let safeUser = user.unicodeScalars.allSatisfy { $0.value > 32 && $0.value < 127 } ? user : ""
        var request = "CHECK SPAMC/1.5\r\nContent-length: \(size)\r\n"
        if !safeUser.isEmpty { request += "User: \(safeUser)\r\n" }
        request += "\r\n"
        guard sock.send(request), lseek(fd, 0, SEEK_SET) == 0 else { return .failed("spamd: cannot send") }
        var buffer = FileBytes.buffer(64 * 1024)
        var sent = 0
        while sent < size {
            let n = buffer.withUnsafeMutableBytes { FileBytes.readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, size - sent)])) }
            if n < 0 { return .failed("message: read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            guard sock.send(buffer[0..<n]) else { return .failed("spamd: write: \(String(cString: strerror(errno)))") }
            sent += n
        }
        sock.finishSending()
        guard let reply = sock.receive(limit: 8192) else { return .failed("spamd: no answer within \(timeoutSeconds) s") }
        return Self.interpret(String(decoding: reply, as: UTF8.self))
    }

    /// `SPAMD/1.1 0 EX_OK` then `Spam: True ; 15.3 / 5.0`.
    static func interpret(_ reply: String) -> Answer {
        // By Character: "\r\n" is one Character in Swift, so split on any newline, not on "\n".
        let lines = reply.split(whereSeparator: { $0.isNewline }).map { $0.trimmed }
        guard let status = lines.first, status.hasPrefix("SPAMD/") else { return .failed("spamd: unexpected reply \"\(SMTPReply.sanitize(String(reply.prefix(80))))\"") }
        let parts = status.split(separator: " ")
        guard parts.count >= 2, parts[1] == "0" else { return .failed("spamd: \(SMTPReply.sanitize(status))") }
        for line in lines.dropFirst() where line.lowercased().hasPrefix("spam:") {
            // "Spam: True ; 15.3 / 5.0"
            let value = line.dropFirst(5)
            let halves = value.split(separator: ";")
            guard halves.count == 2 else { break }
            let flag = halves[0].trimmed.lowercased()
            let numbers = halves[1].split(separator: "/").map { Double($0.trimmed) }
            guard flag == "true" || flag == "yes" || flag == "false" || flag == "no",
                  numbers.count == 2, let score = numbers[0], let required = numbers[1] else { break }
            return .verdict(isSpam: flag == "true" || flag == "yes", score: score, required: required)
        }
        return .failed("spamd: no Spam: line in \"\(SMTPReply.sanitize(String(reply.prefix(80))))\"")
    }
}
