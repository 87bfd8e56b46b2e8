/// `qsentry stats --html`: one self-contained page, charts as inline SVG, no script and nothing
/// fetched, so it opens from a file, a mail or a web server alike.
public enum StatsPage {
    public static func html(_ s: LogStatistics, top n: Int = 10) -> String {
        """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>qsentry statistics</title>
            <style>
            body { font-family: sans-serif; margin: 2em; color: #222; max-width: 60em; }
            table { border-collapse: collapse; margin: 1em 0; }
            td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
            td:first-child, th:first-child { text-align: left; }
            svg text { font-family: sans-serif; font-size: 12px; }
            </style></head><body>
            <h1>qsentry statistics</h1>
            \(sections(s, top: n))</body></html>

            """
    }

    /// The page's content without its frame: the web console shows the same charts (every
    /// text in them escaped here).
    public static func sections(_ s: LogStatistics, top n: Int = 10) -> String {
        var body = "<p>\(s.records) log lines of qsentry's programs"
        if let a = s.first, let b = s.last { body += ", " + escape(LogTimestamp.format(a)) + " to " + escape(LogTimestamp.format(b)) }
        body += ".</p>\n"

        body += "<h2>Decisions by layer</h2>\n"
        let kinds: [(String, String, KeyPath<LogStatistics.Outcomes, Int>)] = [
            ("refused", "#c0392b", \.refused), ("deferred", "#e67e22", \.deferred), ("tagged", "#f1c40f", \.tagged),
            ("accepted", "#27ae60", \.accepted),
        ]
        body += stackedBars(LogStatistics.layers.map { (program, layer) in
            let o = s.outcomes[program] ?? LogStatistics.Outcomes()
            return (layer, kinds.map { ($0.0, $0.1, o[keyPath: $0.2]) })
        })
        body += "<table><tr><th>layer</th><th>decisions</th><th>refused</th><th>deferred</th><th>tagged</th><th>accepted</th></tr>\n"
        for (program, layer) in LogStatistics.layers {
            let o = s.outcomes[program] ?? LogStatistics.Outcomes()
            body += "<tr><td>\(layer)</td><td>\(o.decisions)</td><td>\(o.refused)</td><td>\(o.deferred)</td><td>\(o.tagged)</td><td>\(o.accepted)</td></tr>\n"
        }
        body += "</table>\n"

        if !s.hours.isEmpty {
            body += "<h2>Refusals by hour</h2>\n" + timeline(s.hours)
        }
        body += "<h2>Rules</h2>\n"
        body += bars(s.ruleRates.map { ("\(StatsReport.layerName($0.program)) \($0.rule)", $0.hits, StatsReport.percent($0.percent)) },
                     color: "#c0392b")
        body += "<h2>Top refused addresses</h2>\n" + bars(LogStatistics.top(s.refusedIPs, n).map { ($0.0, $0.1, "") }, color: "#8e44ad")
        if !s.countries.isEmpty {
            body += "<h2>Connections by country</h2>\n" + bars(LogStatistics.top(s.countries, n).map { ($0.0, $0.1, "") }, color: "#2980b9")
        }
        return body
    }

    /// Horizontal bars, one a row: label, bar scaled to the largest, count (and a note).
    static func bars(_ rows: [(label: String, value: Int, note: String)], color: String) -> String {
        if rows.isEmpty { return "<p>None.</p>\n" }
        let rowHeight = 22, labelWidth = 220, barWidth = 400
        let maxValue = max(rows.map(\.value).max() ?? 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 140)\" height=\"\(rows.count * rowHeight + 4)\" role=\"img\">\n"
        for (i, r) in rows.enumerated() {
            let y = i * rowHeight + 2
            let w = max(1, r.value * barWidth / maxValue)
            svg += "<text x=\"0\" y=\"\(y + 15)\">\(escape(r.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"16\" fill=\"\(color)\"/>"
            svg += "<text x=\"\(labelWidth + w + 6)\" y=\"\(y + 15)\">\(r.value)\(r.note.isEmpty ? "" : " (" + escape(r.note) + ")")</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// One bar a layer, split by outcome, with a legend.
    static func stackedBars(_ rows: [(label: String, parts: [(name: String, color: String, value: Int)])]) -> String {
        let rowHeight = 24, labelWidth = 110, barWidth = 500
        let maxTotal = max(rows.map { $0.parts.reduce(0) { $0 + $1.value } }.max() ?? 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 20)\" height=\"\(rows.count * rowHeight + 30)\" role=\"img\">\n"
        for (i, r) in rows.enumerated() {
            let y = i * rowHeight + 2
            svg += "<text x=\"0\" y=\"\(y + 16)\">\(escape(r.label))</text>"
            var x = labelWidth
            for p in r.parts where p.value > 0 {
                let w = max(1, p.value * barWidth / maxTotal)
                svg += "<rect x=\"\(x)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"18\" fill=\"\(p.color)\"><title>\(p.name): \(p.value)</title></rect>"
                x += w
            }
            svg += "\n"
        }
        var x = labelWidth
        let legendY = rows.count * rowHeight + 10
        for p in rows.first?.parts ?? [] {
            svg += "<rect x=\"\(x)\" y=\"\(legendY)\" width=\"12\" height=\"12\" fill=\"\(p.color)\"/><text x=\"\(x + 16)\" y=\"\(legendY + 11)\">\(p.name)</text>"
            x += 100
        }
        return svg + "\n</svg>\n"
    }

    /// Decisions (grey) and refusals (red) per hour, oldest left.
    static func timeline(_ hours: [Int: (decisions: Int, refused: Int)]) -> String {
        let keys = hours.keys.sorted()
        guard let firstHour = keys.first, let lastHour = keys.last else { return "" }
        let count = min((lastHour - firstHour) / 3600 + 1, 24 * 31)
        let width = 640, height = 160
        let step = max(1, width / count)
        let maxValue = max(hours.values.map(\.decisions).max() ?? 1, 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(step * count + 10)\" height=\"\(height + 40)\" role=\"img\">\n"
        for i in 0..<count {
            guard let h = hours[firstHour + i * 3600] else { continue }
            let d = h.decisions * height / maxValue, r = h.refused * height / maxValue
            svg += "<rect x=\"\(i * step)\" y=\"\(height - d)\" width=\"\(max(1, step - 1))\" height=\"\(d)\" fill=\"#bbb\"/>"
            svg += "<rect x=\"\(i * step)\" y=\"\(height - r)\" width=\"\(max(1, step - 1))\" height=\"\(r)\" fill=\"#c0392b\"/>\n"
        }
        svg += "<text x=\"0\" y=\"\(height + 16)\">\(escape(LogTimestamp.format(firstHour)))</text>"
        svg += "<text x=\"\(step * count)\" y=\"\(height + 16)\" text-anchor=\"end\">\(escape(LogTimestamp.format(lastHour)))</text>"
        svg += "<text x=\"0\" y=\"\(height + 34)\">grey: decisions, red: refusals (most in an hour: \(maxValue))</text>\n"
        return svg + "</svg>\n"
    }

    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
