import Foundation

/// Free loopback ports for test servers.
///
/// Two rules keep parallel tests apart: a port is never handed out twice in one test process,
/// and ports come from below the kernel's ephemeral range (32768 and up), so no client's
/// source port can take one between the pick and the server's bind.
public enum Ports {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut = Set<UInt16>()
    static let range: ClosedRange<UInt16> = 20000...32000

    public static func free(udp: Bool = false) throws -> UInt16 {
        lock.lock()
        defer { lock.unlock() }
        for _ in 0..<500 {
            let port = UInt16.random(in: range)
            if handedOut.contains(port) { continue }
            // Free in both protocols: some servers (nsd, clamd, redis) bind TCP and UDP alike.
            if bindable(port, udp: true) && bindable(port, udp: false) {
                handedOut.insert(port)
                return port
            }
        }
        throw HarnessError.startFailed("no free port in \(range)")
    }

    static func bindable(_ port: UInt16, udp: Bool) -> Bool {
        let fd = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
