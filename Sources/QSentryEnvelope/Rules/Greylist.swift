#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// E18: greylisting at RCPT, on when `control/qsentry/greylist` has a line (`delay=5m` alone: the defaults). A triplet (client network,
/// sender, recipient) seen for the first time gets 451 4.7.1; a retry after the delay and within
/// the window passes and is remembered for the lifetime (refreshed by use); a network whose
/// triplets passed `auto-allow` times passes for every triplet. Real mail servers retry, most
/// spam software does not.
///
/// It runs last, after the recipient is known to exist (an unknown one gets its 550 at once), and
/// never for relay or authenticated clients (TrustedClient ended the stage), allow-listed
/// clients and senders, or `unfiltered` recipients. The store answers in one round trip; when
/// it cannot, `store-failure` decides (accept by default: greylisting is a delay, not a filter
/// to lose mail over).
public struct Greylist: EnvelopeRule {
    /// The control file's settings (each optional: any one line turns greylisting on).
    public struct Settings: Sendable, Equatable {
        public var timing = GreylistTiming()
        public var ipv4Prefix = 24
        public var ipv6Prefix = 64
        /// Let senders whose SPF passed through without a delay.
        public var skipSPFPass = false
        /// Greylist only clients another layer tagged as doubtful (qsentry-conn's `tag`, an
        /// envelope rule's `tag`); everyone else passes.
        public var onlyTagged = false
        /// What a store that does not answer means: accept (default) or defer.
        public var storeFailure = VerdictAction.accept

        public init() {}

        public static let keys: [String: [String]?] = [
            "delay": nil, "window": nil, "lifetime": nil, "auto-allow": nil, "ipv4-prefix": nil, "ipv6-prefix": nil,
            "skip-spf-pass": ["yes", "no"], "only-tagged": ["yes", "no"], "store-failure": ["accept", "defer"],
        ]

        /// Reads `path`; nil when it does not exist or has no line (greylisting off).
        public static func load(_ path: String) throws -> Settings? {
            guard let lines = try SettingsFile.lines(path) else { return nil }
            var s = Settings()
            for p in lines {
                switch p.key {
                case "delay": s.timing.delay = try p.duration()
                case "window": s.timing.window = try p.duration()
                case "lifetime": s.timing.lifetime = try p.duration()
                case "auto-allow": s.timing.autoAllow = try p.number(0...1_000_000)
                case "ipv4-prefix": s.ipv4Prefix = try p.number(8...32)
                case "ipv6-prefix": s.ipv6Prefix = try p.number(16...128)
                case "skip-spf-pass": s.skipSPFPass = try p.flag()
                case "only-tagged": s.onlyTagged = try p.flag()
                case "store-failure":
                    guard p.value == "accept" || p.value == "defer" else { throw p.error("accept or defer") }
                    s.storeFailure = p.value == "accept" ? .accept : .deferred
                default: throw p.unknown(keys.keys.sorted())
                }
            }
            guard s.timing.delay < s.timing.window else {
                throw ControlError(path: path, "delay (\(s.timing.delay) s) must be shorter than window (\(s.timing.window) s)")
            }
            return s
        }
    }

    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.greylist = try SettingsFile.load(root.qsentry("greylist"), Settings.load, defaults: Settings(), problems: &c.problems)
    }

    public static let controlFiles: [ControlFileSpec] = [
        .init("greylist", .qsentry, .keyValue(Settings.keys),
              "a line = greylisting on: delay, window, lifetime, auto-allow, ipv4-prefix, ipv6-prefix, skip-spf-pass, only-tagged, store-failure (E18)"),
    ]
    public let name: RuleName = "greylist"
    public init() {}

    public var texts: KeyValuePairs<String, String> {
        ["greylist": "greylisted: this server accepts mail from new senders after a retry, please try again later"]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let settings = c.config.greylist, let to = c.to, let ip = c.session.ip, try c.recipientIsFiltered() else { return nil }
        if settings.skipSPFPass, c.spf?.result == .pass { return nil }
        if settings.onlyTagged, c.session.connTag == nil, !c.taggedSoFar { return nil }
        guard let open = c.greylistStore else { return nil }
        let network = IPNetwork.around(ip, ipv4Prefix: settings.ipv4Prefix, ipv6Prefix: settings.ipv6Prefix).description
        let triplet = GreylistTriplet(network: network, sender: c.from.mailbox, recipient: to.mailbox)
        let outcome: GreylistOutcome
        do {
            outcome = try open().greylist(triplet, timing: settings.timing, now: Int(time(nil)))
        } catch {
            LogLine.warning("greylist: store: \(error)")
            c.greylist = nil
            return settings.storeFailure == .deferred ? .reply(SMTPReply(451, "4.3.0", "temporary failure, please try again later"), rule: name) : nil
        }
        c.greylist = outcome
        if outcome.passes { return nil }
        let wait: Int
        if case .early(let w) = outcome { wait = w } else { wait = settings.timing.delay }
        return .reply(SMTPReply(451, "4.7.1", c.config.messages.text(name, c.values) + " (retry in \(wait) s)"), rule: name)
    }
}
