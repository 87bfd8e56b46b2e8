#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryFuzzy
import QSentryMIME
import QSentryStore

/// M12: the message's text as a fuzzy signature (QSentryFuzzy), looked up in the store by its
/// band keys. A close match to learnt spam (`qsentry learn --spam`) is spam: refused, or tagged
/// with `action=tag`; copies of one text sent to many recipients within the window (across every
/// MX host sharing the store) are only tagged, since newsletters are bulk too. Every message's
/// recipients and host are counted. `mailfromallow` senders and the site's own users (SiteUsers,
/// before this rule) are not judged; store trouble lets the message through with a log line.
public struct FuzzyCheck: ContentCheck {
    /// `control/qsentry/fuzzy`: any setting line turns M12 on (comments only, as installed: off).
    public struct Settings: Sendable, Equatable {
        /// Share of min-hashes (percent) from which a learnt signature matches.
        public var similarity = 50
        /// How long sightings count towards bulk.
        public var window = 86_400
        /// Distinct recipients within the window from which a message is tagged as bulk.
        public var bulk = 50
        /// What a match to learnt spam does: refuse (default) or tag.
        public var refuse = true
        /// How long a learnt signature is kept.
        public var lifetime = 30 * 86_400
        public init() {}

        static let names = ["similarity", "window", "bulk", "action", "lifetime"]

        public static func load(_ path: String) throws -> Settings? { try SettingsFile.lines(path).map(read) }

        @Sendable public static func problems(_ lines: [ControlLine], _ path: String) -> [ControlError] {
            SettingsFile.problems(lines, path, read)
        }

        static func read(_ settings: [SettingsFile.Setting]) throws -> Settings {
            var s = Settings()
            for p in settings {
                switch p.key {
                case "similarity": s.similarity = try p.number(1...100)
                case "window": s.window = try p.duration()
                case "bulk": s.bulk = try p.number(1...1_000_000)
                case "lifetime": s.lifetime = try p.duration()
                case "action":
                    guard p.value == "refuse" || p.value == "tag" else { throw p.error("refuse or tag") }
                    s.refuse = p.value == "refuse"
                default: throw p.unknown(names)
                }
            }
            return s
        }
    }

    public static let controlFiles: [ControlFileSpec] = [
        .init("fuzzy", .qsentry, .checkedBy(Settings.problems),
              "fuzzy hashes, any line turns them on: similarity (percent), window, bulk (recipients), action (refuse or tag), lifetime (M12)"),
    ]

    public static func configured(_ root: QmailRoot, me host: Result<String?, Error>, allowedSenders: () throws -> AddressList,
                                  store: SharedStore, problems: inout [ControlError]) throws -> FuzzyCheck? {
        guard let settings = try SettingsFile.load(root.qsentry("fuzzy"), Settings.load, defaults: Settings(), problems: &problems) else { return nil }
        let me = try host.get() ?? ""
        return FuzzyCheck(settings: settings, host: me.isEmpty ? "localhost" : me, allowed: try allowedSenders()) { try store.open() }
    }

    public let name: RuleName = "fuzzy"
    let settings: Settings
    let host: String
    let allowed: AddressList
    let open: () throws -> Store

    public init(settings: Settings, host: String, allowed: AddressList = AddressList(), open: @escaping () throws -> Store) {
        self.settings = settings
        self.host = host
        self.allowed = allowed
        self.open = open
    }

    /// Attachments and images hashed at most, a message.
    public static let maxAttachments = 10

    /// The store key of an attachment's SHA-256: its first 64 bits, set apart from band keys.
    public static func attachmentKey(_ hex: String) -> UInt64? { UInt64(hex.prefix(16), radix: 16).map { $0 ^ 0xA77A_C4ED_5EED_0001 } }

    /// What `qsentry learn --spam` keeps of one message: its text's signature and each attachment's hash.
    public static func learn(_ facts: MessageFacts, into store: Store, lifetime: Int, now: Int) throws -> Bool {
        var kept = false
        if let signature = FuzzySignature(text: facts.text) {
            try store.fuzzyLearn(bands: signature.bandKeys, signature: signature.values, lifetime: lifetime, now: now)
            kept = true
        }
        for key in facts.attachmentHashes.prefix(maxAttachments).compactMap(attachmentKey) {
            try store.fuzzyLearn(bands: [key], signature: [key], lifetime: lifetime, now: now)
            kept = true
        }
        return kept
    }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        let signature = FuzzySignature(text: c.message.facts.text)
        let attachments = c.message.facts.attachmentHashes.prefix(Self.maxAttachments).compactMap(Self.attachmentKey)
        guard signature != nil || !attachments.isEmpty else {
            c.trail.append("fuzzy:short")
            return nil
        }
        if (try? allowed.match(c.message.envelope.sender)) ?? nil != nil { return nil }
        let seen: FuzzyObservation
        do {
            seen = try open().fuzzyObserve(bands: (signature?.bandKeys ?? []) + attachments, recipients: c.message.envelope.recipients, host: host,
                                           window: settings.window, now: Int(time(nil)), record: !c.dryRun)
        } catch {
            LogLine.warning("fuzzy: \(error)")
            c.trail.append("fuzzy:store-error")
            return nil
        }
        // A learnt attachment hash is one value: an exact match; a learnt text, its similarity.
        let best = seen.learnt.map { learnt -> Double in
            if learnt.count == 1 { return attachments.contains(learnt[0]) ? 1 : 0 }
            return signature?.similarity(FuzzySignature(values: learnt)) ?? 0
        }.max() ?? 0
        let percent = Int((best * 100).rounded())
        if percent >= settings.similarity {
            c.trail.append("fuzzy:hit")
            if settings.refuse {
                return .refuse(rule: name, text: "message refused as spam: it is a copy of known spam (\(percent)% alike)", event: .spam)
            }
            c.fields.append("X-QSentry-Fuzzy: spam; similarity=\(percent)")
            return nil
        }
        if seen.recipients >= settings.bulk {
            c.trail.append("fuzzy:bulk")
            c.fields.append("X-QSentry-Fuzzy: bulk; recipients=\(seen.recipients); hosts=\(seen.hosts)")
            return nil
        }
        c.trail.append("fuzzy:pass")
        return nil
    }
}
