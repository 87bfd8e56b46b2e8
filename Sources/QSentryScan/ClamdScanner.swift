#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// clamd over its unix or TCP socket with INSTREAM (clamd(8)): the message in chunks, each
/// behind its length as 4 bytes in network order, then a zero length; one reply line, NUL-ended.
public struct ClamdScanner: VirusScanner {
    public enum Address: Equatable, Sendable {
        case unix(String)
        case tcp(host: String, port: UInt16)
    }

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
    public static func parse(_ text: String) -> Address? {
        let t = text.trimmed
        if t.hasPrefix("/") { return .unix(t) }
        guard let colon = t.lastIndex(of: ":"), let port = UInt16(t[t.index(after: colon)...]), port > 0 else { return nil }
        var host = String(t[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : .tcp(host: host, port: port)
    }

    public func scan(fd: Int32, size: Int) -> ScanResult {
        let sock: Int32
        switch connectSocket() {
        case .success(let s): sock = s
        case .failure(let e): return .failed(e.description)
        }
        defer { close(sock) }
        guard lseek(fd, 0, SEEK_SET) == 0 else { return .failed("spool: lseek: errno \(errno)") }
        guard send(sock, Array("zINSTREAM\0".utf8)) else { return .failed("clamd: write: \(String(cString: strerror(errno)))") }
        var buffer = [UInt8](repeating: 0, count: Self.chunk + 4)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + 4, Self.chunk) }
            if n < 0 { if errno == EINTR { continue }; return .failed("spool: read: errno \(errno)") }
            let length = UInt32(n).bigEndian
            withUnsafeBytes(of: length) { for i in 0..<4 { buffer[i] = $0[i] } }
            // clamd closes early when the stream passes its StreamMaxLength: its reply says so.
            if !send(sock, Array(buffer[0..<(4 + n)])) { break }
            if n == 0 { break }
        }
        return interpret(reply(sock))
    }

    func interpret(_ reply: String?) -> ScanResult {
        guard let reply else { return .failed("clamd: no reply (timeout or connection closed)") }
        // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        let body = reply.hasPrefix("stream: ") ? String(reply.dropFirst(8)) : reply
        if body == "OK" { return .clean }
        if body.hasSuffix(" FOUND") { return .virus(String(body.dropLast(6))) }
        return .failed("clamd: \(reply)")
    }

    func connectSocket() -> Result<Int32, SystemError> {
        var fd: Int32 = -1
        switch address {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(SystemError("socket", path: path, errno: errno)) }
            setTimeouts(fd)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                close(fd)
                return .failure(SystemError("connect", path: path, errno: ENAMETOOLONG))
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
            let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            if r != 0 { let e = errno; close(fd); return .failure(SystemError("connect", path: path, errno: e)) }
        case .tcp(let host, let port):
            guard let ip = IPAddress(host) else { return .failure(SystemError("connect", path: host, errno: EINVAL)) }
            fd = socket(ip.isIPv4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(SystemError("socket", path: host, errno: errno)) }
            setTimeouts(fd)
            let r: Int32
            if ip.isIPv4 {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = port.bigEndian
                withUnsafeMutableBytes(of: &a.sin_addr) { p in for i in 0..<4 { p[i] = ip.bytes[i] } }
                r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            } else {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                a.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &a.sin6_addr) { p in for i in 0..<16 { p[i] = ip.bytes[i] } }
                r = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            }
            if r != 0 { let e = errno; close(fd); return .failure(SystemError("connect", path: "\(host):\(port)", errno: e)) }
        }
        return .success(fd)
    }

    func setTimeouts(_ fd: Int32) {
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }

    /// The reply up to its NUL (or the end of the connection); nil on timeout or nothing.
    func reply(_ fd: Int32) -> String? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 512)
        while out.count < 4096 {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out += buf[0..<n]
            if out.contains(0) { break }
        }
        let text = String(decoding: out.prefix(while: { $0 != 0 }), as: UTF8.self).trimmed
        return text.isEmpty ? nil : text
    }
}
