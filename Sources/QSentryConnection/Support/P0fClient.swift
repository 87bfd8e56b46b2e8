#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import QSentryCore

/// p0f's answer (API v3), the fields qsentry uses.
public struct P0fReply: Sendable, Equatable {
    public enum Status: UInt32, Sendable { case badQuery = 0x00, ok = 0x10, noMatch = 0x20 }
    public let status: Status
    public let osName: String
    public let osFlavor: String
    public let distance: Int

    /// The reply is 232 bytes: magic, status, six u32 counters, distance, two flags, six 32-byte strings.
    public static let size = 232
    static let replyMagic: UInt32 = 0x5030_4602

    public init(status: Status, osName: String, osFlavor: String, distance: Int) {
        self.status = status
        self.osName = osName
        self.osFlavor = osFlavor
        self.distance = distance
    }

    /// Parses a reply; anything short, with a wrong magic or status, is an error (never a crash).
    public static func parse(_ b: [UInt8]) throws -> P0fReply {
        guard b.count == size else { throw P0fError("short reply (\(b.count) bytes)") }
        func u32(_ at: Int) -> UInt32 {
            UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        }
        guard u32(0) == replyMagic else { throw P0fError("bad magic") }
        guard let status = Status(rawValue: u32(4)) else { throw P0fError("unknown status \(u32(4))") }
        let distance = Int(Int16(bitPattern: UInt16(b[36]) | UInt16(b[37]) << 8))
        return P0fReply(status: status, osName: cString(b[40..<72]), osFlavor: cString(b[72..<104]), distance: distance)
    }

    static func cString(_ s: ArraySlice<UInt8>) -> String {
        let end = s.firstIndex(of: 0) ?? s.endIndex
        return String(decoding: s[s.startIndex..<end].map { $0 < 0x20 || $0 > 0x7e ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }
}

public struct P0fError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// Asks p0f's API socket (`p0f -s PATH`) what it saw of an address; one query, bounded wait.
public struct P0fClient: Sendable {
    public let socketPath: String
    public let timeoutMilliseconds: Int

    public init(socketPath: String, timeoutMilliseconds: Int = 1000) {
        self.socketPath = socketPath
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The 21-byte query: magic 0x50304601, address type (4 or 6), 16 address bytes.
    public static func query(for ip: IPAddress) -> [UInt8] {
        var q: [UInt8] = [0x01, 0x46, 0x30, 0x50, ip.isIPv4 ? 4 : 6]
        q += ip.bytes + [UInt8](repeating: 0, count: 16 - ip.bytes.count)
        return q
    }

    public func query(_ ip: IPAddress) throws -> P0fReply {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw P0fError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw P0fError("socket path too long") }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: pathBytes) }
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw P0fError("connect \(socketPath): \(String(cString: strerror(errno)))") }
        try FileBytes.writeAll(fd, P0fClient.query(for: ip), path: socketPath)
        var reply = [UInt8](repeating: 0, count: P0fReply.size)
        var got = 0
        while got < reply.count {
            let n = reply[got...].withUnsafeMutableBytes { FileBytes.readSome(fd, into: $0) }
            if n <= 0 { break }
            got += n
        }
        return try P0fReply.parse(Array(reply[0..<got]))
    }
}
