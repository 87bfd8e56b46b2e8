#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IPv4 or IPv6 address as network-order bytes (4 or 16 of them).
///
/// IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what an IPv6 tcpserver reports for an
/// IPv4 client) is folded to IPv4, so one list entry covers both spellings.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        if bytes.count == 16 && bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            self.bytes = Array(bytes[12..<16])
        } else {
            self.bytes = bytes
        }
    }

    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form (inet_pton's rules).
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        if text.contains(":") {
            var a6 = in6_addr()
            guard inet_pton(AF_INET6, text, &a6) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: a6) { Array($0) })
        } else {
            var a4 = in_addr()
            guard inet_pton(AF_INET, text, &a4) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: a4) { Array($0) })
        }
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if isIPv4 {
            var a4 = in_addr()
            withUnsafeMutableBytes(of: &a4) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET, &a4, &buffer, socklen_t(buffer.count))
        } else {
            var a6 = in6_addr()
            withUnsafeMutableBytes(of: &a6) { $0.copyBytes(from: bytes) }
            inet_ntop(AF_INET6, &a6, &buffer, socklen_t(buffer.count))
        }
        return String(cString: buffer)
    }

    /// The name a DNS blocklist is queried under: reversed octets (IPv4) or nibbles (IPv6).
    public var reverseLabels: String {
        if isIPv4 {
            return bytes.reversed().map { String($0) }.joined(with: ".")
        }
        let hex: [Character] = Array("0123456789abcdef")
        var labels: [String] = []
        labels.reserveCapacity(32)
        for b in bytes.reversed() {
            labels.append(String(hex[Int(b & 0x0f)]))
            labels.append(String(hex[Int(b >> 4)]))
        }
        return labels.joined(with: ".")
    }
}
