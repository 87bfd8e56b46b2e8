import QSentryCore

/// A token's counts in a Bayes database (global or one user's).
public struct TokenCounts: Sendable, Equatable {
    public var spam: Int
    public var ham: Int
    public init(spam: Int, ham: Int) {
        self.spam = spam
        self.ham = ham
    }

    public mutating func add(_ other: TokenCounts) {
        spam += other.spam
        ham += other.ham
    }
}

/// One quarantined message as the index knows it (the message itself is a file).
public struct QuarantineEntry: Sendable, Equatable {
    public let id: String
    public let time: Int
    public let ip: String
    public let sender: String
    public let recipients: [String]
    public let verdict: String
    public let path: String
    public init(id: String, time: Int, ip: String, sender: String, recipients: [String], verdict: String, path: String) {
        self.id = id
        self.time = time
        self.ip = ip
        self.sender = sender
        self.recipients = recipients
        self.verdict = verdict
        self.path = path
    }
}

/// A ban as `qsentry bans list` shows it.
public struct BanEntry: Sendable, Equatable {
    public let ip: String
    public let until: Int
    public let source: String
}

/// Everything qsentry keeps between processes: events, bans, reputation, Bayes tokens and the
/// quarantine index. The embedded (SQLite) and Redis back-ends implement it and pass the same tests.
/// Every call may throw `StoreError`; callers skip the rule with a log line and let mail flow.
public protocol Store: ReputationStore {
    var policy: StorePolicy { get }

    /// Bans `ip` until `until` (seconds since the epoch); `source` is "auto" or the admin's note.
    func ban(_ ip: IPAddress, until: Int, source: String) throws
    func unban(_ ip: IPAddress) throws
    func bans(now: Int) throws -> [BanEntry]
    /// Distinct reporting hosts for `ip` within the reputation window, and the events of the ban window.
    func reputation(of ip: IPAddress, now: Int) throws -> (reporters: [String], recentEvents: Int)

    /// The counts of each of `keys` in the same order as `keys.sorted`, nil for a key never learnt.
    /// `TokenKey.messages` holds the numbers of messages learnt.
    func tokens(_ namespace: String, _ keys: TokenKeys) throws -> [TokenCounts?]
    /// Adds each delta (negative to forget); counts never go below zero.
    func addTokens(_ namespace: String, _ deltas: [UInt64: TokenCounts]) throws

    func quarantineAdd(_ entry: QuarantineEntry) throws
    func quarantineList() throws -> [QuarantineEntry]
    func quarantineRemove(_ id: String) throws
}

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
