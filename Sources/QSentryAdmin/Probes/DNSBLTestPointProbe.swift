import QSentryCore
import QSentryDNS

/// Each blocklist in `dnsbl` lists its test point, 127.0.0.2 (RFC 5782): a zone that does not is
/// misspelt, gone, or refusing this host's resolver (Spamhaus refuses public resolvers), and
/// would silently list nobody.
struct DNSBLTestPointProbe: LiveProbe {
    let name = "dnsbl test points"

    static func zones(_ root: QmailRoot) -> [(zone: DNSBLZone, line: Int)] {
        guard let lines = try? ControlFile.lines(root.qsentry("dnsbl")) else { return [] }
        return lines.compactMap { line in
            if case .success(let z) = DNSBLZone.parse(line.text) { return (z, line.number) }
            return nil
        }
    }

    func run(_ root: QmailRoot) -> [ControlError] {
        let zones = Self.zones(root)
        guard !zones.isEmpty else { return [] }
        let file = root.qsentry("dnsbl")
        let resolver: Resolver
        do { resolver = try Resolver.configured(root: root) } catch { return [ControlError(path: file, "\(error)")] }
        let questions = zones.map { DNSQuery("2.0.0.127." + $0.zone.zone, .a) }
        let answers = resolver.resolve(questions)
        var problems: [ControlError] = []
        for (z, q) in zip(zones, questions) {
            switch answers[q] ?? .temporary("no answer") {
            case .records(let r) where !r.isEmpty:
                continue
            case .temporary(let why):
                problems.append(ControlError(path: file, line: z.line,
                    "\(z.zone.zone): no answer for its test point 127.0.0.2 (\(why)): check dnsservers and the network"))
            default:
                problems.append(ControlError(path: file, line: z.line,
                    "\(z.zone.zone) does not list its test point 127.0.0.2: check the zone name, and that the list answers your resolver"))
            }
        }
        return problems
    }
}
