/// What happened, as the shared store counts it (C7 bans, C8 reputation).
public enum StoreEventKind: String, Sendable, CaseIterable {
    case spam, virus, badRecipient = "bad-recipient", honeypot, earlyTalker = "early-talker", authFailure = "auth-failure"
}

/// One event about a client address.
public struct StoreEvent: Sendable, Equatable {
    public let ip: IPAddress
    public let kind: StoreEventKind
    /// The reporting host (`control/me`), so reputation can count distinct reporters.
    public let host: String
    /// Seconds since the epoch.
    public let time: Int
    public init(ip: IPAddress, kind: StoreEventKind, host: String, time: Int) {
        self.ip = ip
        self.kind = kind
        self.host = host
        self.time = time
    }
}

/// Why an address is refused before the greeting.
public struct BanStatus: Sendable, Equatable {
    public enum Reason: String, Sendable { case ban, reputation }
    public let reason: Reason
    /// Seconds since the epoch when it ends (0 = unknown).
    public let until: Int
    public init(reason: Reason, until: Int) {
        self.reason = reason
        self.until = until
    }
}

/// The shared state the connection layer asks before the greeting and every layer reports to.
/// The embedded and Redis back-ends implement it; a failure is thrown, and callers skip the
/// rule with a log line rather than block mail.
public protocol ReputationStore: AnyObject {
    /// A ban or reputation refusal in force for `ip`, if any.
    func status(of ip: IPAddress, now: Int) throws -> BanStatus?
    /// Records an event (spam, virus, bad recipient …) against an address.
    func record(_ event: StoreEvent) throws
}
