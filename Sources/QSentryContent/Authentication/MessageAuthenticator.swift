import QSentryAuth
import QSentryCore
import QSentryDNS
import QSentryMessage

/// M11 for one message from outside: its header read from the spool, every DNS name its checks
/// need asked in one parallel batch (DKIM keys, ARC keys, the DMARC records), then DKIM
/// (libopendkim), ARC and DMARC (libopendmarc), into one Authentication-Results.
public struct MessageAuthenticator {
    let settings: AuthenticationSettings

    public init(_ settings: AuthenticationSettings) { self.settings = settings }

    public func authenticate(_ m: ScannedMessage) -> AuthenticationResults {
        var out = AuthenticationResults(authservID: settings.authservID)
        if let spf = m.session.spf {
            out.spf = (spf, m.envelope.sender)
        }
        guard let (header, _) = try? MessageHeader.read(m.spool) else {
            out.dmarc = DMARCOutcome(result: .temperror, fromDomain: "", reason: "spool unreadable")
            return out
        }
        let from = Self.fromDomain(header)
        let dmarc = DMARCEvaluator(organisational: settings.organisational)
        var queries = DKIMVerifier.keyQueries(header) + ARCVerifier.keyQueries(header)
        if let from { queries += dmarc.queries(fromDomain: from) }
        var answers: [DNSQuery: DNSAnswer] = [:]
        if !queries.isEmpty {
            do {
                answers = try settings.resolver().resolve(queries)
            } catch {
                LogLine.warning("authentication: \(error)")
            }
        }
        out.dkim = DKIMVerifier().verify(header, fd: m.spool, keys: answers)
        let arc = ARCVerifier().verify(header, fd: m.spool, keys: answers)
        out.arc = arc
        let spfForDMARC: (domain: String, result: AuthResult)? = m.session.spf.flatMap { result in
            guard let at = m.envelope.sender.lastIndex(of: "@") else { return nil }
            return (String(m.envelope.sender[m.envelope.sender.index(after: at)...]), AuthResult(rawValue: result) ?? .none)
        }
        out.dmarc = dmarc.evaluate(fromDomain: from ?? "", dkim: out.dkim, spf: spfForDMARC, ip: m.session.ip, answers: answers)
        return out
    }

    /// The domain of the one From: address (RFC 7489 §6.6.1: none, several fields or several
    /// addresses give no DMARC domain to check, reported as permerror).
    public static func fromDomain(_ header: MessageHeader) -> String? {
        let fields = header.all("from")
        guard fields.count == 1 else { return nil }
        var value = fields[0].value
        // The address: inside <…> if there is one, else the whole value; comments dropped.
        if let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            value = String(value[value.index(after: open)..<close])
        }
        guard !value.contains(","), let at = value.lastIndex(of: "@") else { return nil }
        var domain = String(value[value.index(after: at)...])
        if let paren = domain.firstIndex(of: "(") { domain = String(domain[..<paren]) }
        domain = domain.trimmed.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        return domain.isEmpty ? nil : domain
    }
}
