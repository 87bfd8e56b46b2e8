import QSentryCore
import QSentryDNS

/// C2: DNS blocklists, all zones asked at once (A for the listing, TXT for its text).
///
/// Each zone whose A answer passes its filter adds its weight; the sum at or above the
/// threshold refuses. Zones that did not answer make the sum uncertain: it refuses only
/// when even the unanswered allow-list zones (negative weights) could not pull it below
/// the threshold, and defers (451) when the unanswered blocklists could still reach it.
/// A client is never refused on a guess.
public struct DNSBLCheck: ConnectionCheck {
    public static func configured(_ setup: inout ConnectionSetup) throws -> (any ConnectionCheck)? {
        let (check, problems) = try load(setup.root, messages: setup.messages)
        setup.problems += problems
        return check
    }

    /// The default text of each refusal it gives, by the name `control/qsentry/messages` overrides.
    public static let texts: KeyValuePairs<String, String> = [
        "dnsbl": "%IP% is listed in a DNS blocklist",
        "dnsbl-temporary": "Blocklist lookup for %IP% failed; try again later",
    ]
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("dnsbl", .qsentry, .zoneList, "DNS blocklists, ZONE[=FILTER][*WEIGHT] [TEXT] (C2)"),
        .init("dnsbl-threshold", .qsentry, .integer(1...1000), "summed weight that refuses; default 1 (C2)"),
    ]
    public let name: RuleName = "dnsbl"
    let zones: [DNSBLZone]
    let threshold: Int
    let messages: Messages

    public init(zones: [DNSBLZone], threshold: Int, messages: Messages) {
        self.zones = zones
        self.threshold = threshold
        self.messages = messages
    }

    func queryName(_ ip: IPAddress, _ zone: DNSBLZone) -> String { ip.reverseLabels + "." + zone.zone }

    public func questions(for ip: IPAddress) -> [DNSQuery] {
        zones.flatMap { [DNSQuery(queryName(ip, $0), .a), DNSQuery(queryName(ip, $0), .txt)] }
    }

    public func evaluate(_ client: ClientInfo, _ ip: IPAddress, answers: [DNSQuery: DNSAnswer]) -> RuleResult {
        var score = 0
        var unansweredUp = 0
        var unansweredDown = 0
        var listedBy: [DNSBLZone] = []
        var words: [String] = []
        for zone in zones {
            let a = answers[DNSQuery(queryName(ip, zone), .a)] ?? .temporary("not asked")
            if a.isTemporary {
                if zone.weight > 0 { unansweredUp += zone.weight } else { unansweredDown += zone.weight }
                words.append("\(zone.zone):temp")
            } else if a.records.contains(where: { IPAddress($0).map(zone.accepts) ?? false }) {
                score += zone.weight
                listedBy.append(zone)
                words.append("\(zone.zone):listed")
            } else {
                words.append("\(zone.zone):miss")
            }
        }
        let detail = "\(score)/\(threshold)[" + words.joined(with: ",") + "]"
        let values = ReplyTemplate.Values(ip: ip.description)
        if score + unansweredDown >= threshold, let zone = listedBy.first(where: { $0.weight > 0 }) ?? listedBy.first {
            return RuleResult(name, Verdict(.refuse, rule: name, text: text(for: zone, ip: ip, answers: answers, values)), detail)
        }
        if score + unansweredUp >= threshold {
            return RuleResult(name, Verdict(.deferred, rule: "dnsbl-temporary", text: messages.text("dnsbl-temporary", values)), detail)
        }
        return .pass(name, detail)
    }

    /// The zone's own text from the dnsbl file, else the listing's TXT record, else the default.
    func text(for zone: DNSBLZone, ip: IPAddress, answers: [DNSQuery: DNSAnswer], _ values: ReplyTemplate.Values) -> String {
        if let t = zone.text { return ReplyTemplate(t).render(values) }
        if let txt = answers[DNSQuery(queryName(ip, zone), .txt)]?.records.first, !txt.isEmpty {
            return SMTPReply.sanitize(txt)
        }
        return messages.text(name, values) + " (\(zone.zone))"
    }

    /// Reads `dnsbl` and `dnsbl-threshold`; nil when no zone is configured. Bad lines come back as problems.
    public static func load(_ root: QmailRoot, messages: Messages) throws -> (DNSBLCheck?, [ControlError]) {
        let path = root.qsentry("dnsbl")
        var zones: [DNSBLZone] = []
        var problems: [ControlError] = []
        for line in try ControlFile.lines(path) ?? [] {
            switch DNSBLZone.parse(line.text) {
            case .success(let z): zones.append(z)
            case .failure(let e): problems.append(ControlError(path: path, line: line.number, e.message))
            }
        }
        if zones.isEmpty { return (nil, problems) }
        let threshold = try ControlFile.integer(root.qsentry("dnsbl-threshold"), default: 1, range: 1...1000)
        return (DNSBLCheck(zones: zones, threshold: threshold, messages: messages), problems)
    }
}
