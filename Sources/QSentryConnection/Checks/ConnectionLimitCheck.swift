#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryDNS
import QSentryStore

/// C12: limits per client across connections, which tcpserver's `-c` (one global count) cannot
/// give: connections open at once from one address, and connections a minute from one address
/// and from its network, counted in the store (Redis: across every MX host). Past a limit, 451
/// before the greeting, as rblsmtpd answers. On when `control/qsentry/connection-limits` has a line;
/// a store that does not answer skips the limits with a log word (`store-error`).
public struct ConnectionLimitCheck: ConnectionCheck {
    public struct Settings: Sendable, Equatable {
        public var concurrent = 10
        public var perMinute = 60
        public var networkPerMinute = 0
        public var ipv4Prefix = 24
        public var ipv6Prefix = 64
        /// A slot ends after this at the latest (a session's longest life: qsentry-smtpd's timeout and more).
        public var lifetime = 1800
        public init() {}

        static let keys: [String: [String]?] = ["concurrent": nil, "per-minute": nil, "network-per-minute": nil,
                                                "ipv4-prefix": nil, "ipv6-prefix": nil, "lifetime": nil]

        public static func load(_ path: String) throws -> Settings? {
            guard let lines = try SettingsFile.lines(path) else { return nil }
            var s = Settings()
            for p in lines {
                switch p.key {
                case "concurrent": s.concurrent = try p.number(0...100_000)
                case "per-minute": s.perMinute = try p.number(0...1_000_000)
                case "network-per-minute": s.networkPerMinute = try p.number(0...1_000_000)
                case "ipv4-prefix": s.ipv4Prefix = try p.number(8...32)
                case "ipv6-prefix": s.ipv6Prefix = try p.number(16...128)
                case "lifetime": s.lifetime = try p.duration()
                default: throw p.unknown(keys.keys.sorted())
                }
            }
            return s
        }
    }

    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        guard let settings = try SettingsFile.load(setup.root.qsentry("connection-limits"), Settings.load, defaults: Settings(),
                                                   problems: &setup.problems) else { return nil }
        guard let open = setup.openStore else { return nil }
        return ConnectionLimitCheck(settings: settings, host: try StoreConfiguration.hostID(setup.root), messages: setup.messages, open: open)
    }

    public static let controlFiles: [ControlFileSpec] = [
        .init("connection-limits", .qsentry, .keyValue(Settings.keys),
              "a line = limits per client: concurrent, per-minute, network-per-minute, ipv4-prefix, ipv6-prefix, lifetime (C12)"),
    ]
    public static let texts: KeyValuePairs<String, String> = [
        "too-many-connections": "too many connections from %IP%, try again later",
        "connection-rate": "%IP% connects too often, try again later",
    ]
    public let name: RuleName = "connection-limits"
    let settings: Settings
    let host: String
    let messages: Messages
    let open: () throws -> Store

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        let network = IPNetwork.around(ip, ipv4Prefix: settings.ipv4Prefix, ipv6Prefix: settings.ipv6Prefix).description
        let counts: ConnectionCounts
        do {
            counts = try open().openConnection(ConnectionSlot(ip: ip.description, network: network, host: host, pid: getpid()),
                                               now: Int(time(nil)), lifetime: settings.lifetime)
        } catch {
            return RuleResult(name, .accept, "store-error")
        }
        let detail = "open=\(counts.concurrent),minute=\(counts.lastMinute)"
        let rule: RuleName
        if settings.concurrent > 0 && counts.concurrent > settings.concurrent {
            rule = "too-many-connections"
        } else if (settings.perMinute > 0 && counts.lastMinute > settings.perMinute)
                    || (settings.networkPerMinute > 0 && counts.networkLastMinute > settings.networkPerMinute) {
            rule = "connection-rate"
        } else {
            return .pass(name, detail)
        }
        return RuleResult(name, Verdict(.deferred, rule: rule, text: messages.text(rule, .init(ip: ip.description))), detail)
    }
}
