/// An address block: an address and a prefix length.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.bytes.count else { return false }
        var bits = prefixLength
        var i = 0
        while bits >= 8 {
            if ip.bytes[i] != address.bytes[i] { return false }
            bits -= 8
            i += 1
        }
        if bits > 0 {
            let mask = UInt8(0xff) << UInt8(8 - bits)
            if ip.bytes[i] & mask != address.bytes[i] & mask { return false }
        }
        return true
    }

    /// Whether any bit past the prefix is set (`192.0.2.5/24`): usually a typo.
    public var hasHostBits: Bool {
        for (i, b) in address.bytes.enumerated() {
            let start = i * 8
            if start >= prefixLength {
                if b != 0 { return true }
            } else if start + 8 > prefixLength {
                let mask = UInt8(0xff) >> UInt8(prefixLength - start)
                if b & mask != 0 { return true }
            }
        }
        return false
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Parses one IP-list entry. Accepted forms:
    /// - a single address, IPv4 or IPv6 (`192.0.2.7`, `2001:db8::1`);
    /// - CIDR (`192.0.2.0/24`, `2001:db8::/32`);
    /// - a dotted-quad ending in `.0`: the whole class-C block (`192.12.45.0` = `192.12.45.0/24`), as the
    ///   NITF blocklist file does;
    /// - a tcprules-style prefix ending in a dot (`10.`, `192.168.`).
    public static func parse(_ text: String) -> Result<IPNetwork, ListError> {
        if let slash = text.firstIndex(of: "/") {
            let addrText = String(text[..<slash])
            let lenText = String(text[text.index(after: slash)...])
            guard let addr = IPAddress(addrText) else { return .failure(.init("not an IP address: \"\(addrText)\"")) }
            let maxLen = addr.bytes.count * 8
            guard let len = Int(lenText), len >= 0, len <= maxLen, !lenText.hasPrefix("+") else {
                return .failure(.init("bad prefix length \"\(lenText)\" (0 to \(maxLen))"))
            }
            let net = IPNetwork(address: addr, prefixLength: len)!
            if net.hasHostBits {
                return .failure(.init("host bits set in \(text); the network is \(net.masked)"))
            }
            return .success(net)
        }
        if text.hasSuffix("."), !text.contains(":") {
            let parts = text.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count), parts.allSatisfy({ isOctet($0) }) else {
                return .failure(.init("bad address prefix \"\(text)\""))
            }
            let padded = parts.map(String.init) + Array(repeating: "0", count: 4 - parts.count)
            // "192.0.07." passes isOctet but not the address parser (a leading zero): an error, not a trap.
            guard let addr = IPAddress(padded.joined(with: ".")) else {
                return .failure(.init("bad address prefix \"\(text)\""))
            }
            return .success(IPNetwork(address: addr, prefixLength: parts.count * 8)!)
        }
        guard let addr = IPAddress(text) else { return .failure(.init("not an IP address: \"\(text)\"")) }
        if addr.isIPv4 && addr.bytes[3] == 0 && text.hasSuffix(".0") {
            return .success(IPNetwork(address: addr, prefixLength: 24)!)
        }
        return .success(IPNetwork(address: addr, prefixLength: addr.bytes.count * 8)!)
    }

    /// The same block with the host bits cleared.
    /// The block holding `ip`, `ipv4Prefix` or `ipv6Prefix` bits long by its family: the "client
    /// network" greylisting and connection limits count by. Prefixes past the family's size are cut to it.
    public static func around(_ ip: IPAddress, ipv4Prefix: Int, ipv6Prefix: Int) -> IPNetwork {
        let bits = ip.isIPv4 ? ipv4Prefix : ipv6Prefix
        return IPNetwork(address: ip, prefixLength: max(0, min(bits, ip.bytes.count * 8)))!.masked
    }

    public var masked: IPNetwork {
        var b = address.bytes
        for i in b.indices {
            let start = i * 8
            if start >= prefixLength { b[i] = 0 } else if start + 8 > prefixLength {
                b[i] &= UInt8(0xff) << UInt8(8 - (prefixLength - start))
            }
        }
        return IPNetwork(address: IPAddress(bytes: b)!, prefixLength: prefixLength)!
    }

    private static func isOctet(_ s: Substring) -> Bool {
        guard !s.isEmpty, s.count <= 3, s.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(s) else { return false }
        return n <= 255
    }
}
