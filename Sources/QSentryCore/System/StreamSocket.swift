#if canImport(Glibc)
import Glibc
#endif

/// Where a helper daemon listens, as `control/qsentry/clamd` and `spamd` say it: an absolute path
/// (unix socket) or `host:port` with a literal IP (`[v6]:port` too). No name lookup: a delivery
/// must not wait on DNS to reach a local daemon.
public enum ServiceAddress: Equatable, Sendable, CustomStringConvertible {
    case unix(String)
    case tcp(host: String, port: UInt16)

    public static func parse(_ text: String) -> ServiceAddress? {
        let t = text.trimmed
        if t.hasPrefix("/") { return .unix(t) }
        guard let colon = t.lastIndex(of: ":"), let port = UInt16(t[t.index(after: colon)...]), port > 0 else { return nil }
        var host = String(t[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .unix(let p): return p
        case .tcp(let h, let p): return h.contains(":") ? "[\(h)]:\(p)" : "\(h):\(p)"
        }
    }
}

/// A connected stream socket with send and receive timeouts: the client side of clamd and spamd.
public struct StreamSocket {
    public let fd: Int32

    /// Connects with every read and write bounded by `timeoutSeconds`.
    public static func connect(_ address: ServiceAddress, timeoutSeconds: Int) -> Result<StreamSocket, SystemError> {
        switch address {
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(SystemError("socket", path: path, errno: errno)) }
            setTimeouts(fd, timeoutSeconds)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                Glibc.close(fd)
                return .failure(SystemError("connect", path: path, errno: ENAMETOOLONG))
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
            let r = connectTo(fd, &addr)
            if r != 0 { let e = errno; Glibc.close(fd); return .failure(SystemError("connect", path: path, errno: e)) }
            return .success(StreamSocket(fd: fd))
        case .tcp(let host, let port):
            guard let ip = IPAddress(host) else { return .failure(SystemError("connect", path: host, errno: EINVAL)) }
            let fd = socket(ip.isIPv4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return .failure(SystemError("socket", path: host, errno: errno)) }
            setTimeouts(fd, timeoutSeconds)
            let r: Int32
            if ip.isIPv4 {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                a.sin_port = port.bigEndian
                withUnsafeMutableBytes(of: &a.sin_addr) { p in for i in 0..<4 { p[i] = ip.bytes[i] } }
                r = connectTo(fd, &a)
            } else {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                a.sin6_port = port.bigEndian
                withUnsafeMutableBytes(of: &a.sin6_addr) { p in for i in 0..<16 { p[i] = ip.bytes[i] } }
                r = connectTo(fd, &a)
            }
            if r != 0 { let e = errno; Glibc.close(fd); return .failure(SystemError("connect", path: "\(host):\(port)", errno: e)) }
            return .success(StreamSocket(fd: fd))
        }
    }

    /// connect(2) with any sockaddr_* structure.
    static func connectTo<Address>(_ fd: Int32, _ address: inout Address) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    static func setTimeouts(_ fd: Int32, _ seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes` (no SIGPIPE); false when the peer is gone or the timeout passed.
    /// Not generic: a generic one, called from another module, copied through the standard library's
    /// unspecialised Array(_:), whose first call costs the runtime some 120 K instructions of type look-up.
    public func send(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { send(raw: $0) }
    }

    /// Writes all of `text`'s UTF-8 (no SIGPIPE); false when the peer is gone or the timeout passed.
    public func send(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { send(raw: UnsafeRawBufferPointer($0)) }
    }

    private func send(raw buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }

    /// No more data from us: the peer sees end of input.
    public func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until the peer closes, `stop` says the reply is complete, or `limit` bytes; nil on
    /// timeout or error.
    public func receive(limit: Int, until stop: ([UInt8]) -> Bool = { _ in false }) -> [UInt8]? {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, limit - out.count), 0) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            out += buf[0..<n]
            if stop(out) { break }
        }
        return out
    }

    public func close() { _ = Glibc.close(fd) }
}
