import QSentryAuth
import QSentryCore
import QSentryStore

/// One rule of the content stage (M1–M6, E13, seed 000 layer 5): one type per file under Checks/,
/// run in ContentStage's order. `evaluate` answers nil (nothing to say: the next rule runs),
/// `.accept` (the message skips every rule after this one: a bypass), or a refusal or deferral,
/// which decides; it writes its own entry of the log line's trail.
public protocol ContentCheck {
    var name: RuleName { get }
    func evaluate(_ c: inout ContentContext) -> Verdict?
}

/// A rule that only judges the message, pass or not (attachments, keywords, URLs, Bayes): its
/// `check` says `.accept` for a pass, and the trail reads `NAME:pass` or `NAME:hit`. Each
/// configures itself from its own files (ContentConfiguration.rules lists them in order).
public protocol MessageCheck: ContentCheck {
    /// The rule as its control files configure it, or nil when they leave it off.
    static func configured(_ setup: inout ContentSetup) throws -> Self?
    /// The control files it reads, for `qsentry check`'s catalogue.
    static var controlFiles: [ControlFileSpec] { get }
    func check(_ message: ScannedMessage) -> Verdict
}

/// What a content rule is configured from.
public struct ContentSetup {
    public let root: QmailRoot
    /// The store, for the rules that keep state (Bayes, fuzzy hashes): opened once a message.
    public let store: SharedStore
    /// Lines that were skipped as malformed.
    public var problems: [ControlError] = []
}

/// The store of one message, opened by whichever asks first (Bayes, the fuzzy hashes, a
/// refusal's event) and then shared: one open, and with Redis one connection and its preamble,
/// a message. A failure to open is kept too, so a store that is down costs its deadline once.
public final class SharedStore {
    let root: QmailRoot
    private var opened: Result<Store, Error>?

    public init(root: QmailRoot) { self.root = root }

    public func open() throws -> Store {
        if opened == nil { opened = Result { try StoreConfiguration.open(root) } }
        return try opened!.get()
    }
}

extension MessageCheck {
    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        let v = check(c.message)
        c.trail.append("\(name):\(v == .accept ? "pass" : "hit")")
        return v == .accept ? nil : v
    }
}

/// What the content rules see of one message, and what they leave for the log and the hand-off.
public struct ContentContext {
    /// M11's checks, when configured; run once, by the first that asks (`authenticate`).
    let authenticator: MessageAuthenticator?
    /// Their results, for the DMARC rule and for Authentication-Results.
    public var authentication: AuthenticationResults?
    /// A message to keep in the quarantine although the client is told it was accepted (DMARC's
    /// `quarantine=quarantine`); a refusal by a later rule still refuses.
    public var quarantine: Verdict?
    public let message: ScannedMessage
    /// The recipients' domains (content-domains switches rules per domain).
    public let domains: [String]
    /// What happened, for the log line: rule names with pass, hit, clean, skip.
    public var trail: [String] = []
    /// Whether a virus scanner looked at the message and found it clean (X-Virus-Scanned).
    public var scannedClean = false
    /// `qsentry explain`: rules that record what they see (M12's sightings) only look.
    public var dryRun = false
    /// Header fields a rule puts on top of an accepted message (`X-QSentry-Fuzzy: bulk; …`), without line end.
    public var fields: [String] = []

    public init(message: ScannedMessage, authenticator: MessageAuthenticator? = nil) {
        self.message = message
        self.authenticator = authenticator
        domains = message.envelope.recipientDomains
    }

    /// M11's results, computed on first use (nil results when M11 is off).
    public mutating func authenticate() -> AuthenticationResults {
        if let authentication { return authentication }
        let r = authenticator?.authenticate(message) ?? AuthenticationResults(authservID: "")
        if authenticator != nil { authentication = r }
        return r
    }
}

/// One spam rule of ContentConfiguration's list: its type, for the catalogue of control files, and
/// its `configured` called on the concrete type. Through `any MessageCheck.Type` each call made the
/// runtime build that rule's `Optional` metadata at every start: 37 K of the 99 K instructions
/// qsentry-queue spent reading its configuration (callgrind). Most of that is the process's first
/// Optional, which any other first Optional costs again: qsentry-queue with clamd alone makes none now.
public struct RuleType {
    public let type: any MessageCheck.Type
    /// The rule as its control files configure it, or nil when they leave it off.
    public let configured: (inout ContentSetup) throws -> ContentCheck?

    public init<Rule: MessageCheck>(_ rule: Rule.Type) {
        type = rule
        configured = { setup in try Rule.configured(&setup) }
    }
}
