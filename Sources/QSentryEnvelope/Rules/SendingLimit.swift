import QSentryCore

/// E19: sending limits for authenticated users and relay clients, on when
/// `control/qsentry/sending-limits` has a line: messages and recipients per clock hour and day, past
/// which MAIL (messages) or RCPT (recipients) gets 451 4.7.0 and the log a warning an
/// administrator notices. It is what stops a stolen password from turning the server into a
/// spam cannon. It runs first at MAIL and at RCPT, before the trusted client is let through;
/// the session reads the sender's counts once per message (`EnvelopeContext.sending`) and adds
/// the message after DATA; a store that does not answer skips the limits with a log line.
public struct SendingLimit: EnvelopeRule {
    /// One sender's limits; 0 is no limit.
    public struct Limits: Sendable, Equatable {
        public var messagesPerHour = 100
        public var messagesPerDay = 500
        public var recipientsPerHour = 500
        public var recipientsPerDay = 2000
        public init() {}
    }

    /// The file: `KEY=N` for everyone, `USER:KEY=N` for one user (the AUTH name, or `relay:IP`).
    public struct Settings: Sendable, Equatable {
        public var defaults = Limits()
        public var perUser: [String: Limits] = [:]
        public init() {}

        public func limits(for who: String) -> Limits { perUser[who] ?? defaults }

        static let names = ["messages-per-hour", "messages-per-day", "recipients-per-hour", "recipients-per-day"]

        public static func load(_ path: String) throws -> Settings? {
            try SettingsFile.lines(path).map(read)
        }

        /// The problems of `lines` (for `qsentry check`): the first, as `load` throws it.
        @Sendable public static func problems(_ lines: [ControlLine], _ path: String) -> [ControlError] {
            SettingsFile.problems(lines, path, read)
        }

        static func read(_ settings: [SettingsFile.Setting]) throws -> Settings {
            var s = Settings()
            var overrides: [String: [(String, Int)]] = [:]
            for p in settings {
                var user: String? = nil
                var name = p.key
                if let colon = p.key.lastIndex(of: ":") {
                    user = String(p.key[..<colon])
                    name = String(p.key[p.key.index(after: colon)...])
                }
                guard names.contains(name) else { throw ControlError(path: p.path, line: p.pair.line, "unknown key \"\(name)\" (known: \(names.joined(with: ", ")))") }
                let n = try p.number(0...Int(Int32.max))
                if let user { overrides[user, default: []].append((name, n)) } else { set(&s.defaults, name, n) }
            }
            // A user's own lines change the site's limits for them, the rest stay the site's.
            for (user, values) in overrides {
                var l = s.defaults
                for (name, n) in values { set(&l, name, n) }
                s.perUser[user] = l
            }
            return s
        }

        static func set(_ l: inout Limits, _ name: String, _ n: Int) {
            switch name {
            case "messages-per-hour": l.messagesPerHour = n
            case "messages-per-day": l.messagesPerDay = n
            case "recipients-per-hour": l.recipientsPerHour = n
            default: l.recipientsPerDay = n
            }
        }
    }

    /// Whose counts a trusted session adds to: the AUTH name, else `relay:IP`.
    public static func sender(_ s: SessionState) -> String? {
        if let user = s.authUser { return user }
        return s.relayClient ? "relay:" + s.ipText : nil
    }

    public static func load(_ root: QmailRoot, into c: inout EnvelopeConfiguration) throws {
        c.sendingLimits = try SettingsFile.load(root.qsentry("sending-limits"), Settings.load, defaults: Settings(), problems: &c.problems)
    }

    public static let controlFiles: [ControlFileSpec] = [
        .init("sending-limits", .qsentry, .checkedBy(Settings.problems),
              "a line = limits for authenticated users and relay clients: [USER:]messages-per-hour, messages-per-day, recipients-per-hour, recipients-per-day (E19)"),
    ]
    public let name: RuleName = "sending-limit"
    public init() {}

    public var texts: KeyValuePairs<String, String> {
        ["sending-limit": "sending limit reached for %EMailFrom%, please try again later"]
    }

    public func evaluate(_ c: inout EnvelopeContext) throws -> Verdict? {
        guard let settings = c.config.sendingLimits, let who = Self.sender(c.session), let counts = c.sending else { return nil }
        let l = settings.limits(for: who)
        let over: (String, Int, Int)?
        if c.to == nil {
            over = [("messages-per-hour", l.messagesPerHour, counts.messagesThisHour), ("messages-per-day", l.messagesPerDay, counts.messagesToday)]
                .first { $0.1 > 0 && $0.2 >= $0.1 }
        } else {
            let next = c.recipientsInMessage + 1
            over = [("recipients-per-hour", l.recipientsPerHour, counts.recipientsThisHour + next),
                    ("recipients-per-day", l.recipientsPerDay, counts.recipientsToday + next)]
                .first { $0.1 > 0 && $0.2 > $0.1 }
        }
        guard let (limit, value, _) = over else { return nil }
        LogLine.warning("sending limit reached: \(who) \(limit)=\(value) (qsentry limits shows and resets it)")
        return .reply(SMTPReply(451, "4.7.0", c.config.messages.text(name, c.values)), rule: name)
    }
}
