#if canImport(Glibc)
import Glibc
#endif

/// C12: one connection as the store counts it: the client, its network, and the MX host and
/// process serving it. qsentry-conn execs the SMTP programs, so its process id is the session's
/// for as long as the session lasts: a slot whose local process is gone is over, however that
/// process ended (a killed one cannot leak its slot), and every slot ends after `lifetime` at
/// the latest (what another MX host's slots rely on).
public struct ConnectionSlot: Sendable, Equatable {
    public let ip: String
    public let network: String
    public let host: String
    public let pid: Int32

    public init(ip: String, network: String, host: String, pid: Int32) {
        self.ip = ip
        self.network = network
        self.host = host
        self.pid = pid
    }

    public var member: String { "\(host) \(pid)" }

    /// Whether a slot of this host's process `pid` is still in use (EPERM: alive, another user's).
    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}

/// What the store counted when a connection opened (itself included).
public struct ConnectionCounts: Sendable, Equatable {
    /// Connections from the client's address open now, on every MX host sharing the store.
    public var concurrent: Int
    /// Connections from the address in the last minute.
    public var lastMinute: Int
    /// Connections from the address's network in the last minute.
    public var networkLastMinute: Int

    public init(concurrent: Int, lastMinute: Int, networkLastMinute: Int) {
        self.concurrent = concurrent
        self.lastMinute = lastMinute
        self.networkLastMinute = networkLastMinute
    }
}

public protocol ConnectionLimitStore: AnyObject {
    /// Records the connection and counts, in one round trip; slots of this host whose process is
    /// gone, and slots older than `lifetime`, are not counted (and are removed).
    func openConnection(_ slot: ConnectionSlot, now: Int, lifetime: Int) throws -> ConnectionCounts
}
