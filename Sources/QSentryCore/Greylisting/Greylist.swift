/// E18: what greylisting keeps per triplet and per client network, and the store's part of it.
/// The rule (QSentryEnvelope's Greylist) decides when to ask; the store (embedded or Redis) keeps
/// the entries, ages them out by itself and answers in one round trip.

/// The triplet a first attempt is remembered by: the client's network (`IPNetwork.around`: its
/// address cut to the configured prefix, so a sender's pool of outgoing hosts counts as one), the
/// sender and the recipient, both lower-cased.
public struct GreylistTriplet: Sendable, Equatable {
    public let network: String
    public let sender: String
    public let recipient: String

    public init(network: String, sender: String, recipient: String) {
        self.network = network
        self.sender = sender.asciiLowercased
        self.recipient = recipient.asciiLowercased
    }

    /// The key the stores keep it under (network, sender and recipient cannot contain a space).
    public var key: String { "\(network) \(sender) \(recipient)" }
}

/// How long each state lasts (control/qsentry/greylist's times, in seconds).
public struct GreylistTiming: Sendable, Equatable {
    /// A retry sooner than this after the first attempt is greylisted again.
    public var delay = 300
    /// A retry later than this after the first attempt starts over.
    public var window = 86_400
    /// How long a triplet that passed stays let through, from its last use.
    public var lifetime = 36 * 86_400
    /// A network whose triplets passed this many times is let through for every triplet (0: never).
    public var autoAllow = 5

    public init() {}

    /// A passed triplet (or allowed network) is refreshed by use to within a tenth of its lifetime,
    /// a day at most: the everyday case, a known triplet, then writes nothing (no fsync embedded).
    public var refreshSlack: Int { min(86_400, lifetime / 10) }

    /// Whether an entry good until `until` is stale enough to be given a new lifetime now.
    public func needsRefresh(until: Int, now: Int) -> Bool { until - now < lifetime - refreshSlack }
}

/// The store's answer for one triplet.
public enum GreylistOutcome: Sendable, Equatable {
    /// First seen now (or seen too long ago): greylisted, to retry after `delay`.
    case new
    /// Retried before the delay ran out: greylisted, `wait` seconds left.
    case early(wait: Int)
    /// Retried in the window: passes, and is remembered for `lifetime`.
    case passed
    /// Passed before and remembered: passes (its lifetime starts again).
    case known
    /// Its network passed greylisting `autoAllow` times: passes.
    case networkAllowed

    public var passes: Bool {
        switch self {
        case .new, .early: return false
        case .passed, .known, .networkAllowed: return true
        }
    }

    /// For the log line and `qsentry explain`.
    public var name: String {
        switch self {
        case .new: return "new"
        case .early: return "early"
        case .passed: return "passed"
        case .known: return "known"
        case .networkAllowed: return "network-allowed"
        }
    }
}

/// The store's side of greylisting: both back-ends pass the same tests.
public protocol GreylistStore: AnyObject {
    /// Looks the triplet up and records this attempt, atomically: one round trip.
    func greylist(_ triplet: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome
    /// What `greylist` would answer, changing nothing (`qsentry explain`).
    func greylistState(_ triplet: GreylistTriplet, timing: GreylistTiming, now: Int) throws -> GreylistOutcome
}

/// The one decision both back-ends make from what they hold: `first` the first attempt's time
/// (0: none), `passedUntil` when a passed triplet is forgotten (0: never passed), `networkPasses`.
public enum GreylistDecision {
    public static func outcome(first: Int, passedUntil: Int, networkPasses: Int, timing: GreylistTiming, now: Int) -> GreylistOutcome {
        if passedUntil > now { return .known }
        if timing.autoAllow > 0 && networkPasses >= timing.autoAllow { return .networkAllowed }
        guard first > 0, now - first <= timing.window else { return .new }
        if now - first < timing.delay { return .early(wait: timing.delay - (now - first)) }
        return .passed
    }
}
