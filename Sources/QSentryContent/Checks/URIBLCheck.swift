import QSentryCore
import QSentryDNS

/// M5: the registrable domains of the hosts in links and text, looked up in every zone of
/// `control/qsentry/uribl` (dnsbl's syntax: `ZONE[=FILTER] [TEXT]`) at once. A listed domain
/// refuses; DNS trouble lets the message through with a log line (a URL list is never worth
/// a retry storm).
public struct URIBLCheck: MessageCheck {
    public static func configured(_ setup: inout ContentSetup) throws -> URIBLCheck? {
        let root = setup.root
        var zones: [DNSBLZone] = []
        let path = root.qsentry("uribl")
        for line in try ControlFile.lines(path) ?? [] {
            switch DNSBLZone.parse(line.text) {
            case .success(let z): zones.append(z)
            case .failure(let e): setup.problems.append(ControlError(path: path, line: line.number, e.message))
            }
        }
        return zones.isEmpty ? nil : URIBLCheck(zones: zones, domains: RegistrableDomain()) { try Resolver.configured(root: root) }
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("uribl", .qsentry, .zoneList, "URL blocklists, same syntax as dnsbl (M5)"),
    ]
    public let name: RuleName = "uribl"
    let zones: [DNSBLZone]
    let resolver: () throws -> Resolver
    let domains: RegistrableDomain
    /// Domains looked up per message at most (spam with 10 000 links costs no more).
    public static let maxDomains = 50

    public init(zones: [DNSBLZone], domains: RegistrableDomain, resolver: @escaping () throws -> Resolver) {
        self.zones = zones
        self.domains = domains
        self.resolver = resolver
    }

    public func registrableDomains(_ hosts: [String]) -> [String] {
        var seen: Set<String> = []
        var out: [String] = []
        for h in hosts {
            guard let d = domains.of(h), seen.insert(d).inserted else { continue }
            out.append(d)
            if out.count == Self.maxDomains { break }
        }
        return out
    }

    public func check(_ m: ScannedMessage) -> Verdict {
        let names = registrableDomains(m.facts.hosts)
        if names.isEmpty { return .accept }
        let answers: [DNSQuery: DNSAnswer]
        do {
            answers = try resolver().resolve(names.flatMap { d in zones.map { DNSQuery(d + "." + $0.zone, .a) } })
        } catch {
            log("uribl: \(error)")
            return .accept
        }
        for d in names {
            for zone in zones {
                let a = answers[DNSQuery(d + "." + zone.zone, .a)] ?? .temporary("not asked")
                if a.isTemporary { log("uribl: \(d).\(zone.zone): \(a)"); continue }
                if a.records.contains(where: { IPAddress($0).map(zone.accepts) ?? false }) {
                    let text = zone.text.map { ReplyTemplate($0).render(ReplyTemplate.Values(domain: d)) }
                        ?? "message refused: it links to \(d), listed by \(zone.zone)"
                    return .refuse(rule: name, text: text, event: .spam)
                }
            }
        }
        return .accept
    }

    func log(_ text: String) {
        LogLine.warning(text)
    }
}
