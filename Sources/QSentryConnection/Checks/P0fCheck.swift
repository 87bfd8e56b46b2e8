#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryDNS

/// C6: the client's operating system from p0f's API, and the admin's verdict for it
/// (`control/qsentry/p0f-policy`, `windows=refuse`). p0f silent or without a match: no verdict.
public struct P0fCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        let policy = try loadPolicy(setup.root)
        guard !policy.isEmpty, let socket = try ControlFile.value(setup.root.qsentry("p0f"))?.text.trimmed else { return nil }
        return P0fCheck(client: P0fClient(socketPath: socket), policy: policy, messages: setup.messages)
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "p0f": "Mail from %IP% is not accepted: direct-to-MX from a desktop system",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("p0f", .qsentry, .path, "p0f v3 API socket (C6)"),
        .init("p0f-policy", .qsentry, .keyValue(["windows": ControlCatalog.verdicts, "linux": ControlCatalog.verdicts, "mac os x": ControlCatalog.verdicts,
              "freebsd": ControlCatalog.verdicts, "openbsd": ControlCatalog.verdicts, "netbsd": ControlCatalog.verdicts, "solaris": ControlCatalog.verdicts, "hp-ux": ControlCatalog.verdicts,
              "openvms": ControlCatalog.verdicts, "tru64": ControlCatalog.verdicts, "ios": ControlCatalog.verdicts, "android": ControlCatalog.verdicts, "blackberry": ControlCatalog.verdicts,
              "unknown": ControlCatalog.verdicts]),
              "verdict per p0f OS genre (C6)"),
    ]
    public let name: RuleName = "p0f"
    let client: P0fClient
    let policy: [String: VerdictAction]
    let messages: Messages

    static let retryMicroseconds: UInt32 = 10_000

    public init(client: P0fClient, policy: [String: VerdictAction], messages: Messages) {
        self.client = client
        self.policy = policy
        self.messages = messages
    }

    public func evaluate(_ info: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        var reply: P0fReply
        do {
            reply = try client.query(ip)
            // "No match" means p0f has not seen the SYN yet: its capture can lag a busy host by a
            // few milliseconds. One more look, a little later, before giving up on the client.
            if reply.status == .noMatch {
                usleep(Self.retryMicroseconds)
                reply = try client.query(ip)
            }
        } catch {
            return RuleResult(name, .accept, "unavailable")
        }
        guard reply.status == .ok else { return .pass(name, "nomatch") }
        let genre = reply.osName.isEmpty ? "unknown" : reply.osName.asciiLowercased
        let detail = genre.replacingSpaces()
        guard let action = policy[genre], action != .accept else { return .pass(name, detail) }
        return RuleResult(name, Verdict(action, rule: name, text: messages.text(name, .init(ip: ip.description))), detail)
    }

    /// Reads `control/qsentry/p0f-policy`: `GENRE=accept|tag|refuse|defer` lines.
    public static func loadPolicy(_ root: QmailRoot) throws -> [String: VerdictAction] {
        var policy: [String: VerdictAction] = [:]
        for pair in try ControlFile.keyValues(root.qsentry("p0f-policy")).pairs {
            if let action = VerdictAction(rawValue: pair.value.asciiLowercased) { policy[pair.key] = action }
        }
        return policy
    }
}

extension String {
    func replacingSpaces() -> String { String(map { $0 == " " ? "_" : $0 }) }
}
