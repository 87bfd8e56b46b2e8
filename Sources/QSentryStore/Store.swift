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

/// A ban as `qsentry bans list` shows it.
public struct BanEntry: Sendable, Equatable {
    public let ip: String
    public let until: Int
    public let source: String
}

/// Everything qsentry keeps between processes: events, bans, reputation and Bayes tokens (the
/// quarantine is files, QSentryMessage's Quarantine). The embedded (SQLite) and Redis back-ends implement it and pass the same tests.
/// Every call may throw `StoreError`; callers skip the rule with a log line and let mail flow.
public protocol Store: ReputationStore, TokenStore, GreylistStore, SendingCounterStore, ConnectionLimitStore, FuzzyStore {
    var policy: StorePolicy { get }

    /// Bans `ip` until `until` (seconds since the epoch); `source` is "auto" or the admin's note.
    func ban(_ ip: IPAddress, until: Int, source: String) throws
    func unban(_ ip: IPAddress) throws
    func bans(now: Int) throws -> [BanEntry]
    /// Distinct reporting hosts for `ip` within the reputation window, and the events of the ban window.
    func reputation(of ip: IPAddress, now: Int) throws -> (reporters: [String], recentEvents: Int)
}

/// The Bayes tokens, all the Bayesian layer needs of the store (M6, D1, D6).
public protocol TokenStore: AnyObject {
    /// The counts of each of `keys` in the same order as `keys.sorted`, nil for a key never learnt.
    /// `TokenKey.messages` holds the numbers of messages learnt.
    func tokens(_ namespace: String, _ keys: TokenKeys) throws -> [TokenCounts?]
    /// Adds each delta (negative to forget); counts never go below zero.
    func addTokens(_ namespace: String, _ deltas: [UInt64: TokenCounts]) throws
    /// Forgets the whole database `namespace` (`qsentry learn --reset`).
    func clearTokens(_ namespace: String) throws
}

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
