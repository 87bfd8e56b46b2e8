import Foundation

/// A UDP and TCP port on 127.0.0.1 that is bound but never answers: the DNS server that times out.
public final class SilentServer: @unchecked Sendable {
    public let port: UInt16
    private let udp: Int32
    private let tcp: Int32

    public init() throws {
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.udp = udp
        self.tcp = tcp
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, len) == 0 && getsockname(udp, $0, &len) == 0 }
        }
        guard ok else {
            close(udp)
            close(tcp)
            throw HarnessError.startFailed("silent server bind")
        }
        port = UInt16(bigEndian: addr.sin_port)
        // The same port on TCP too, listening and never reading (for TCP fallback).
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, len) }
        }
        listen(tcp, 16)
    }

    deinit {
        close(udp)
        close(tcp)
    }

    public var address: String { "127.0.0.1:\(port)" }
}
