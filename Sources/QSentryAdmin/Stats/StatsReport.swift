/// `qsentry stats` as text: one section a question, numbers right-aligned.
public enum StatsReport {
    public static func text(_ s: LogStatistics, top n: Int = 10) -> String {
        var out = "qsentry stats: \(s.records) lines of qsentry's programs"
        if let a = s.first, let b = s.last { out += ", \(LogTimestamp.format(a)) to \(LogTimestamp.format(b))" }
        if s.outsidePeriod > 0 { out += " (\(s.outsidePeriod) outside the period or without a time, not counted)" }
        out += "\n\n"
        out += row(["layer", "decisions", "refused", "deferred", "tagged", "accepted"])
        for (program, layer) in LogStatistics.layers {
            let o = s.outcomes[program] ?? LogStatistics.Outcomes()
            out += row([layer, "\(o.decisions)", "\(o.refused)", "\(o.deferred)", "\(o.tagged)", "\(o.accepted)"])
        }
        out += "\nrules (decisions made; share of the layer's decisions)\n"
        let rates = s.ruleRates
        if rates.isEmpty { out += "  none\n" }
        for r in rates {
            out += "  " + pad(layerName(r.program), 12, right: false) + pad(r.rule, 24, right: false)
                + pad("\(r.hits)", 8, right: true) + pad(percent(r.percent), 9, right: true) + "\n"
        }
        out += "\ntop refused addresses\n"
        let ips = LogStatistics.top(s.refusedIPs, n)
        if ips.isEmpty { out += "  none\n" }
        for (ip, count) in ips { out += row(["  " + ip, "\(count)"]) }
        if !s.countries.isEmpty {
            out += "\nconnections by country\n"
            for (code, count) in LogStatistics.top(s.countries, n) { out += row(["  " + code, "\(count)"]) }
        }
        if s.warnings > 0 { out += "\n\(s.warnings) warning line\(s.warnings == 1 ? "" : "s") (see the log)\n" }
        return out
    }

    static func layerName(_ program: String) -> String {
        LogStatistics.layers.first { $0.program == program }?.layer ?? program
    }

    static func percent(_ p: Double) -> String {
        let tenths = Int((p * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }

    /// Left-aligned first column, the rest right-aligned, fixed widths.
    static func row(_ cells: [String]) -> String {
        var line = pad(cells[0], 18, right: false)
        for c in cells.dropFirst() { line += " " + pad(c, 10, right: true) }
        return line + "\n"
    }

    static func pad(_ s: String, _ width: Int, right: Bool) -> String {
        let space = String(repeating: " ", count: max(0, width - s.count))
        return right ? space + s : s + space
    }
}
