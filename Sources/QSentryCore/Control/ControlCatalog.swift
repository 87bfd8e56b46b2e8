/// A control file the suite reads: where it lives, what it holds, its default. The rules declare
/// theirs; QSentryAdmin's `Catalog` is the one list `qsentry check` lints and the control-file
/// man page describes (a file in `control/qsentry/` that is not in it is reported as unknown: a
/// typo there silently turns a rule off).
public struct ControlFileSpec: Sendable {
    public enum Location: Sendable, Equatable {
        /// qmail's own `control/` directory.
        case qmail
        /// `control/qsentry/`.
        case qsentry
    }

    /// How the file's lines are checked.
    public enum Kind: Sendable {
        case ipList, addressList, domainList, zoneList
        case integer(ClosedRange<Int>)
        /// `key=value` lines; the keys allowed and the values each takes (nil: a whole number, or a
        /// duration with s, m, h or d).
        case keyValue([String: [String]?])
        /// Lines naming files or sockets that must exist.
        case path
        /// Two-letter ISO country codes, one or more a line.
        case countryCodes
        /// DNS servers: `IP`, `IP:PORT`, `[IPv6]:PORT`.
        case dnsServers
        /// A unix socket path or `host:port`.
        case socket
        /// `redis://HOST[:PORT][/DB]`, `unix:///path`, or `embedded`.
        case storeURL
        /// qmail's virtualdomains: `domain:prefix` or `user@domain:prefix`.
        case virtualDomains
        /// Free text (a greeting host name, a command line, phrases).
        case text
        /// Lines the rule that reads them checks itself (a syntax of its own), as it reads them.
        case checkedBy(@Sendable (_ lines: [ControlLine], _ path: String) -> [ControlError])
        /// A directory of files (M11's signing keys), checked as a whole by the rule that reads it.
        case directory(@Sendable (_ path: String) -> [ControlError])
    }

    /// A directory, not a file of lines (no example file is shipped for it).
    public var isDirectory: Bool {
        if case .directory = kind { return true }
        return false
    }

    public let name: String
    public let location: Location
    public let kind: Kind
    public let summary: String

    public init(_ name: String, _ location: Location, _ kind: Kind, _ summary: String) {
        self.name = name
        self.location = location
        self.kind = kind
        self.summary = summary
    }

    public func path(in root: QmailRoot) -> String {
        location == .qmail ? root.control(name) : root.qsentry(name)
    }
}

public enum ControlCatalog {
    /// The values of a rule's action in a key=value file.
    public static let verdicts: [String]? = ["accept", "tag", "refuse", "defer"]

    /// The files no one rule owns: qmail's own, the resolver's, the shared state's, the texts, the
    /// allow lists every layer honours. Each rule's own files travel with the rule (its
    /// `controlFiles`), and QSentryAdmin's `Catalog` assembles the whole list.
    public static let shared: [ControlFileSpec] = [
        .init("me", .qmail, .text, "this host's name; the host id for shared reputation"),
        .init("rcpthosts", .qmail, .domainList, "domains this host accepts mail for (E3)"),
        .init("locals", .qmail, .domainList, "domains delivered locally (E1)"),
        .init("virtualdomains", .qmail, .virtualDomains, "virtual domains and their user prefixes (E1)"),
        .init("badmailfrom", .qmail, .addressList, "refused senders, address or @domain (E6)"),
        .init("databytes", .qmail, .integer(0...Int(Int32.max)), "largest message accepted, 0 = no limit (E17)"),
        .init("dnsservers", .qsentry, .dnsServers, "DNS servers for every query; default /etc/resolv.conf"),
        .init("dnstimeout", .qsentry, .integer(100...60000), "overall DNS deadline per connection, ms; default 5000"),
        .init("ipallow", .qsentry, .ipList, "client addresses that bypass every block rule (C4, E13)"),
        .init("messages", .qsentry, .text, "custom refusal texts, RULE=TEXT with %IP% %Domain% %EMailTo% %EMailFrom% (E16)"),
        .init("hostid", .qsentry, .text, "this MX host's id for shared reputation; default control/me"),
        .init("store", .qsentry, .storeURL, "embedded (default), or Redis shared by several MX hosts: redis://, unix:// or sentinel:// (P2, P5)"),
        .init("bans", .qsentry, .keyValue(["events": nil, "window": nil, "duration": nil, "spam": nil, "virus": nil,
              "bad-recipient": nil, "honeypot": nil, "early-talker": nil, "auth-failure": nil]),
              "temporary ban thresholds: events, window and duration in minutes, per-kind weights (C7)"),
        .init("reputation", .qsentry, .keyValue(["reporters": nil, "window": nil]),
              "shared reputation: distinct reporting hosts that refuse, window in minutes (C8)"),
        .init("unfiltered", .qsentry, .addressList, "recipients that bypass every rule (E13)"),
    ]
}
