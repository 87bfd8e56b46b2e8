/// `qsentry stats`' counts (A5): what the programs decided, by layer, rule, client address,
/// country and hour, from their log lines.
public struct LogStatistics: Sendable {
    /// The layer each program is, in the order mail meets them.
    public static let layers: [(program: String, layer: String)] = [
        ("qsentry-conn", "connection"), ("qsentry-smtpd", "envelope"), ("qsentry-queue", "content"), ("qsentry-local", "delivery"),
    ]

    public struct Outcomes: Sendable, Equatable {
        public var decisions = 0, refused = 0, deferred = 0, tagged = 0, accepted = 0
        public init() {}
    }

    /// Lines read, lines of qsentry's programs, and of those the ones outside the period or without a time.
    public private(set) var lines = 0
    public private(set) var records = 0
    public private(set) var outsidePeriod = 0
    public private(set) var warnings = 0
    public private(set) var first: Int?
    public private(set) var last: Int?
    public private(set) var outcomes: [String: Outcomes] = [:]
    /// Per program, per rule: the decisions that rule made (refused, deferred or tagged).
    public private(set) var ruleHits: [String: [String: Int]] = [:]
    public private(set) var refusedIPs: [String: Int] = [:]
    /// qsentry-conn's connections by the country its geoip rule found.
    public private(set) var countries: [String: Int] = [:]
    /// Hour (Unix seconds at its start) → decisions and refusals.
    public private(set) var hours: [Int: (decisions: Int, refused: Int)] = [:]

    public let since: Int?
    public let until: Int?

    public init(since: Int? = nil, until: Int? = nil) {
        self.since = since
        self.until = until
    }

    public mutating func add(line: Substring) {
        lines += 1
        guard let r = LogRecord.parse(line) else { return }
        add(r)
    }

    public mutating func add(_ r: LogRecord) {
        if since != nil || until != nil {
            guard let t = r.time, since.map({ t >= $0 }) ?? true, until.map({ t < $0 }) ?? true else {
                outsidePeriod += 1
                return
            }
        }
        records += 1
        if r["warning"] != nil && r["verdict"] == nil { warnings += 1; return }
        guard let verdict = r["verdict"] else { return }
        if let t = r.time {
            first = min(first ?? t, t)
            last = max(last ?? t, t)
        }
        var o = outcomes[r.program] ?? Outcomes()
        o.decisions += 1
        let refused: Bool
        switch verdict {
        case "refuse", "bounce": o.refused += 1; refused = true
        case "defer": o.deferred += 1; refused = false
        case "tag", "spam": o.tagged += 1; refused = false
        default: o.accepted += 1; refused = false
        }
        outcomes[r.program] = o
        if let rule = r["rule"], verdict != "accept" {
            ruleHits[r.program, default: [:]][rule, default: 0] += 1
        }
        if refused, let ip = r["ip"], !ip.isEmpty { refusedIPs[ip, default: 0] += 1 }
        if r.program == "qsentry-conn", let c = r["country"], c.count == 2, c.allSatisfy({ $0.isUppercase }) {
            countries[c, default: 0] += 1
        }
        if let t = r.time {
            let hour = t - ((t % 3600) + 3600) % 3600
            var h = hours[hour] ?? (0, 0)
            h.decisions += 1
            if refused { h.refused += 1 }
            hours[hour] = h
        }
    }

    /// The `n` largest counts, largest first, ties by name.
    public static func top(_ counts: [String: Int], _ n: Int) -> [(String, Int)] {
        Array(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(n)).map { ($0.key, $0.value) }
    }

    /// Every rule's hits with its share of its layer's decisions, by layer then most hits.
    public var ruleRates: [(program: String, rule: String, hits: Int, percent: Double)] {
        var out: [(String, String, Int, Double)] = []
        for (program, _) in Self.layers {
            let total = outcomes[program]?.decisions ?? 0
            for (rule, hits) in Self.top(ruleHits[program] ?? [:], Int.max) {
                out.append((program, rule, hits, total == 0 ? 0 : 100 * Double(hits) / Double(total)))
            }
        }
        return out
    }
}
