/// Every control file the suite reads: where it lives, what it holds, its default.
///
/// The one list `qsentry check` lints and the control-file man page describes;
/// a file in `control/qsentry/` that is not here is reported as unknown (a typo
/// there silently turns a rule off).
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
    static let verdicts: [String]? = ["accept", "tag", "refuse", "defer"]

    public static let files: [ControlFileSpec] = [
        // qmail's own files, read where qmail keeps them.
        .init("me", .qmail, .text, "this host's name; the host id for shared reputation"),
        .init("rcpthosts", .qmail, .domainList, "domains this host accepts mail for (E3)"),
        .init("locals", .qmail, .domainList, "domains delivered locally (E1)"),
        .init("virtualdomains", .qmail, .virtualDomains, "virtual domains and their user prefixes (E1)"),
        .init("badmailfrom", .qmail, .addressList, "refused senders, address or @domain (E6)"),
        .init("databytes", .qmail, .integer(0...Int(Int32.max)), "largest message accepted, 0 = no limit (E17)"),

        // Connection (qsentry-conn).
        .init("dnsservers", .qsentry, .dnsServers, "DNS servers for every query; default /etc/resolv.conf"),
        .init("dnstimeout", .qsentry, .integer(100...60000), "overall DNS deadline per connection, ms; default 5000"),
        .init("rdns", .qsentry, .keyValue(["mode": ["off", "require", "forward-confirmed"], "generic": verdicts]),
              "reverse DNS policy (C1)"),
        .init("rdns-generic", .qsentry, .text, "patterns of generic/dynamic PTR names (C1)"),
        .init("dnsbl", .qsentry, .zoneList, "DNS blocklists, ZONE[=FILTER][*WEIGHT] [TEXT] (C2)"),
        .init("dnsbl-threshold", .qsentry, .integer(1...1000), "summed weight that refuses; default 1 (C2)"),
        .init("ipblock", .qsentry, .ipList, "refused client addresses (C3)"),
        .init("ipallow", .qsentry, .ipList, "client addresses that bypass every block rule (C4, E13)"),
        .init("geoip", .qsentry, .path, "MaxMind-format .mmdb country database (C5)"),
        .init("countries", .qsentry, .countryCodes, "refused countries, ISO 3166 codes (C5)"),
        .init("p0f", .qsentry, .path, "p0f v3 API socket (C6)"),
        .init("p0f-policy", .qsentry, .keyValue(["windows": verdicts, "linux": verdicts, "mac os x": verdicts,
              "freebsd": verdicts, "openbsd": verdicts, "netbsd": verdicts, "solaris": verdicts, "hp-ux": verdicts,
              "openvms": verdicts, "tru64": verdicts, "ios": verdicts, "android": verdicts, "blackberry": verdicts,
              "unknown": verdicts]),
              "verdict per p0f OS genre (C6)"),
        .init("greetdelay", .qsentry, .integer(0...60000), "greeting delay for early-talker detection, ms (C10)"),
        .init("messages", .qsentry, .text, "custom refusal texts, RULE=TEXT with %IP% %Domain% %EMailTo% %EMailFrom% (E16)"),

        // Shared state.
        .init("hostid", .qsentry, .text, "this MX host's id for shared reputation; default control/me"),
        .init("store", .qsentry, .storeURL, "embedded (default) or a Redis URL shared by several MX hosts (P2)"),
        .init("bans", .qsentry, .keyValue(["events": nil, "window": nil, "duration": nil, "spam": nil, "virus": nil,
              "bad-recipient": nil, "honeypot": nil, "early-talker": nil, "auth-failure": nil]),
              "temporary ban thresholds: events, window and duration in minutes, per-kind weights (C7)"),
        .init("reputation", .qsentry, .keyValue(["reporters": nil, "window": nil]),
              "shared reputation: distinct reporting hosts that refuse, window in minutes (C8)"),

        // Envelope (qsentry-smtpd).
        .init("validrcptto.cdb", .qsentry, .path, "valid recipient addresses, compiled (E1)"),
        .init("badrcptlimit", .qsentry, .integer(0...10000), "unknown recipients per session before disconnect (E2)"),
        .init("maxrcpt", .qsentry, .keyValue(["message": nil, "connection": nil]), "recipient limits (E5)"),
        .init("mailfromblock", .qsentry, .addressList, "refused senders (E6)"),
        .init("mailfromblock-domains", .qsentry, .domainList, "refused sender domains (E6)"),
        .init("rcptblock", .qsentry, .addressList, "refused recipients (E7)"),
        .init("rcptallow", .qsentry, .addressList, "when present, the only recipients accepted (E7)"),
        .init("sender-rules", .qsentry, .keyValue(["empty-sender": verdicts, "from-equals-to": verdicts,
              "same-domain": verdicts, "sender-mx": verdicts]), "sender checks (E8, E9, E10)"),
        .init("spf", .qsentry, .keyValue(["pass": verdicts, "neutral": verdicts, "softfail": verdicts, "fail": verdicts,
              "permerror": verdicts, "temperror": verdicts, "none": verdicts]), "action per SPF result (E11)"),
        .init("honeypots", .qsentry, .addressList, "trap addresses; mail to them bans the sender's IP (E12)"),
        .init("mailfromallow", .qsentry, .addressList, "senders that bypass every rule (E13)"),
        .init("unfiltered", .qsentry, .addressList, "recipients that bypass every rule (E13)"),
        .init("checkpassword", .qsentry, .text, "checkpassword command line for SMTP AUTH (E14)"),
        .init("auth-requires-tls", .qsentry, .integer(0...1), "1 (default): AUTH only after STARTTLS (E15)"),
        .init("auth-failures", .qsentry, .integer(1...100), "failed AUTH attempts per session before 421 and a ban event; default 3 (E14)"),
        .init("auth-delay", .qsentry, .integer(0...60), "seconds before a failed AUTH is answered; default 2 (E15)"),
        .init("tls-cert", .qsentry, .path, "path of the PEM certificate chain for STARTTLS; STARTTLS is offered when set (E15)"),
        .init("tls-key", .qsentry, .path, "path of the PEM private key; default: the key is in the tls-cert file (E15)"),
        .init("tls-ciphers", .qsentry, .text, "OpenSSL cipher list for TLS 1.2 (E15)"),
        .init("timeout", .qsentry, .integer(1...3600), "SMTP idle timeout, seconds; default 1200 (E17)"),

        // Content (qsentry-queue).
        .init("clamd", .qsentry, .socket, "clamd socket: a path or host:port (M1)"),
        .init("clamav-db", .qsentry, .path, "ClamAV database directory for in-process libclamav (M1)"),
        .init("attachments", .qsentry, .text, "refused attachment names, extensions and globs (M2)"),
        .init("keywords", .qsentry, .text, "refused phrases in subject and body (M3)"),
        .init("keywords-allow", .qsentry, .text, "phrases that bypass content rules (M3)"),
        .init("subject-spaces", .qsentry, .integer(0...1000), "most consecutive spaces allowed in a subject (M4)"),
        .init("uribl", .qsentry, .zoneList, "URL blocklists, same syntax as dnsbl (M5)"),
        .init("bayes-reject", .qsentry, .integer(1...100), "Bayesian score in percent from which DATA is refused (M6)"),
        .init("bayes-min-learned", .qsentry, .integer(0...1_000_000), "spam and ham messages each learnt before Bayes verdicts count; default 200 (M6, D1)"),
        .init("quarantine", .qsentry, .path, "quarantine directory (M8)"),
        .init("scan-failure", .qsentry, .text, "defer (default) or accept when the virus scanner gives no answer (M1, M10)"),
        .init("content-domains", .qsentry, .text, "per recipient domain content rules, DOMAIN:RULE=yes|no,… (M1–M5)"),

        // Delivery (qsentry-local).
        .init("spam-threshold", .qsentry, .integer(1...100), "score in percent from which mail is spam; default 90 (D1, D2)"),
        .init("spam-action", .qsentry, .text, "what spam gets: tag (default), folder .Junk, discard or bounce (D2)"),
        .init("spam-subject", .qsentry, .text, "subject prefix for spam, none for none; default [SPAM] (D1)"),
        .init("local-virus-scan", .qsentry, .integer(0...1), "1: qsentry-local scans with clamd too, for installs without QMAILQUEUE (D4)"),
        .init("spamd", .qsentry, .socket, "SpamAssassin spamd: a path or host:port (D3)"),
    ]

    public static func spec(named name: String, location: ControlFileSpec.Location) -> ControlFileSpec? {
        files.first { $0.name == name && $0.location == location }
    }
}
