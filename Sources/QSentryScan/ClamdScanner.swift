#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// clamd over its unix or TCP socket with INSTREAM (clamd(8)): the message in chunks, each
/// behind its length as 4 bytes in network order, then a zero length; one reply line, NUL-ended.
public struct ClamdScanner: VirusScanner {
    public typealias Address = ServiceAddress

    public let address: Address
    /// Connect, send and reply together must take no longer than this.
    public var timeoutSeconds: Int
    public var name: String { "clamd" }
    static let chunk = 64 * 1024

    public init(address: Address, timeoutSeconds: Int = 60) {
        self.address = address
        self.timeoutSeconds = timeoutSeconds
    }

    /// `control/qsentry/clamd`: an absolute path (unix socket) or `host:port`.
    public static func parse(_ text: String) -> Address? { ServiceAddress.parse(text) }

    public func scan(fd: Int32, size: Int) -> ScanResult {
        let sock: StreamSocket
        switch StreamSocket.connect(address, timeoutSeconds: timeoutSeconds) {
        case .success(let s): sock = s
        case .failure(let e): return .failed(e.description)
        }
        defer { sock.close() }
        guard lseek(fd, 0, SEEK_SET) == 0 else { return .failed("spool: lseek: errno \(errno)") }
        guard sock.send("zINSTREAM\0") else { return .failed("clamd: write: \(String(cString: strerror(errno)))") }
        var buffer = FileBytes.buffer(Self.chunk + 4)
        while true {
            let n = buffer.withUnsafeMutableBytes { FileBytes.readSome(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[4..<(4 + Self.chunk)])) }
            if n < 0 { return .failed("spool: read: errno \(errno)") }
            let length = UInt32(n).bigEndian
            withUnsafeBytes(of: length) { for i in 0..<4 { buffer[i] = $0[i] } }
            // clamd closes early when the stream passes its StreamMaxLength: its reply says so.
            if !sock.send(buffer[0..<(4 + n)]) { break }
            if n == 0 { break }
        }
        return interpret(reply(sock))
    }

    /// clamd's PING: nil when it answers PONG, else what went wrong.
    public func ping() -> String? {
        let sock: StreamSocket
        switch StreamSocket.connect(address, timeoutSeconds: min(timeoutSeconds, 5)) {
        case .success(let s): sock = s
        case .failure(let e): return e.description
        }
        defer { sock.close() }
        guard sock.send("zPING\0") else { return "write: \(String(cString: strerror(errno)))" }
        let answer = reply(sock)
        return answer == "PONG" ? nil : "answered \(answer.map { "\"\($0)\"" } ?? "nothing") to PING"
    }

    func interpret(_ reply: String?) -> ScanResult {
        guard let reply else { return .failed("clamd: no reply (timeout or connection closed)") }
        // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        let body = reply.hasPrefix("stream: ") ? String(reply.dropFirst(8)) : reply
        if body == "OK" { return .clean }
        if body.hasSuffix(" FOUND") { return .virus(String(body.dropLast(6))) }
        return .failed("clamd: \(reply)")
    }

    /// The reply up to its NUL (or the end of the connection); nil on timeout or nothing.
    func reply(_ sock: StreamSocket) -> String? {
        guard let out = sock.receive(limit: 4096, until: { $0.contains(0) }) else { return nil }
        let text = String(decoding: out.prefix(while: { $0 != 0 }), as: UTF8.self).trimmed
        return text.isEmpty ? nil : text
    }
}
