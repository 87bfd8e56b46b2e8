import QSentryAuth
import QSentryCore
import QSentryDNS

/// What a DMARC outcome does at DATA (`control/qsentry/dmarc`, `POLICY=ACTION`).
public enum DMARCAction: String, Sendable {
    /// 550 5.7.1 to the client; the message is quarantined, as every content refusal is.
    case refuse
    /// Accepted from the client, kept in the quarantine instead of delivered.
    case quarantine
    /// Delivered, the fail marked in Authentication-Results for qsentry-local to weigh.
    case tag
    /// Delivered, the result recorded and nothing else.
    case none
}

/// M11's settings, read once per message: `control/qsentry/authentication` (`off` turns the
/// checks off; absent: on), `dmarc` (actions; absent: evaluated and recorded, never acted on),
/// `arc-trusted` (forwarders whose seal may overrule a DMARC fail), and `control/me` as the
/// authserv-id of Authentication-Results.
public struct AuthenticationSettings {
    public var authservID: String
    /// Action per policy the record asks for (after pct); nil: record only.
    public var actions: [DMARCPolicy: DMARCAction]?
    /// When DNS fails: accept with a header (default) or defer.
    public var deferOnDNSFailure = false
    public var arcTrusted = DomainList()
    /// The senders of `mailfromallow`: no DMARC action for them (allow lists win).
    public var allowedSenders = AddressList()
    public var resolver: () throws -> Resolver
    public var organisational: (String) -> String?

    public static let controlFiles: [ControlFileSpec] = [
        .init("authentication", .qsentry, .text, "off: no DKIM, DMARC or ARC checks and no signing (M11)"),
        .init("dmarc", .qsentry, .keyValue(["reject": ["refuse", "quarantine", "tag", "none"], "quarantine": ["refuse", "quarantine", "tag", "none"],
                                           "none": ["refuse", "quarantine", "tag", "none"], "temperror": ["accept", "defer"]]),
              "action per DMARC policy of a failing message (M11)"),
        .init("arc-trusted", .qsentry, .domainList, "forwarders whose ARC seal may overrule a DMARC fail (M11)"),
        .init("dkim", .qsentry, .directory(KeyFile.problems), "signing keys, DOMAIN/selector and DOMAIN/SELECTOR.private (M11)"),
    ]

    public init(authservID: String, resolver: @escaping () throws -> Resolver, organisational: @escaping (String) -> String?) {
        self.authservID = authservID
        self.resolver = resolver
        self.organisational = organisational
    }

    /// nil when `authentication` says off.
    public static func load(_ root: QmailRoot, me host: Result<String?, Error>, allowedSenders: () throws -> AddressList,
                            problems: inout [ControlError]) throws -> AuthenticationSettings? {
        if let line = try ControlFile.value(root.qsentry("authentication")), line.text.trimmed.lowercased() == "off" { return nil }
        let me = try host.get() ?? ""
        let domains = RegistrableDomainCache()
        var s = AuthenticationSettings(authservID: me.isEmpty ? "localhost" : me, resolver: { try Resolver.configured(root: root) },
                                       organisational: { domains.of($0) })
        // A file of comments only (as installed) acts on nothing, like no file.
        if let lines = try ControlFile.lines(root.qsentry("dmarc")), !lines.isEmpty {
            var actions: [DMARCPolicy: DMARCAction] = [.reject: .refuse, .quarantine: .quarantine, .none: .none]
            let (pairs, malformed) = ControlFile.keyValues(lines, path: root.qsentry("dmarc"))
            problems += malformed
            for pair in pairs {
                if pair.key == "temperror" {
                    s.deferOnDNSFailure = pair.value.lowercased() == "defer"
                } else if let policy = DMARCPolicy(rawValue: pair.key), let action = DMARCAction(rawValue: pair.value.lowercased()) {
                    actions[policy] = action
                } else {
                    problems.append(ControlError(path: root.qsentry("dmarc"), line: pair.line, "unknown setting \(pair.key)=\(pair.value)"))
                }
            }
            s.actions = actions
        }
        s.arcTrusted = try DomainList.load(root.qsentry("arc-trusted"))
        s.allowedSenders = try allowedSenders()
        return s
    }
}

/// libpsl, opened the first time a domain is asked about (a message without From: or DKIM never opens it).
final class RegistrableDomainCache {
    private var psl: RegistrableDomain?
    func of(_ host: String) -> String? {
        if psl == nil { psl = RegistrableDomain() }
        return psl!.of(host)
    }
}
