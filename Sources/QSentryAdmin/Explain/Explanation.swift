import QSentryCore

/// What `qsentry explain` found: layer by layer, each rule with its input and result, then the
/// verdict and the reply the client would get.
public struct Explanation: Sendable {
    public struct Step: Sendable, Equatable {
        public let rule: String
        public let input: String
        public let result: String
        public let detail: String
        public init(_ rule: RuleName, input: String, result: String, detail: String = "") {
            self.init(rule.rawValue, input: input, result: result, detail: detail)
        }

        public init(_ rule: String, input: String, result: String, detail: String = "") {
            self.rule = rule
            self.input = input
            self.result = result
            self.detail = detail
        }
    }

    public struct Layer: Sendable {
        public let program: String
        public var steps: [Step] = []
        /// accept, tag, refuse, defer, or what qsentry-local does (deliver, file, discard, bounce, quarantine).
        public var verdict = "accept"
        public var reply: String?
        public init(program: String) { self.program = program }
    }

    public var layers: [Layer] = []
    public var verdict = "accept"
    public var reply: String?
    /// The layer that decided, when one refused or deferred.
    public var decidedBy: String?

    public init() {}

    /// The first layer that refuses or defers decides; the layers after it are not reached.
    public mutating func add(_ layer: Layer) {
        layers.append(layer)
        guard decidedBy == nil else { return }
        if layer.verdict == "refuse" || layer.verdict == "defer" {
            verdict = layer.verdict
            reply = layer.reply
            decidedBy = layer.program
        } else if layer.verdict == "tag" && verdict == "accept" {
            verdict = "tag"
        }
    }

    public var isDecided: Bool { decidedBy != nil }

    public var text: String {
        var out = ""
        for layer in layers {
            out += "\(layer.program)\n"
            for s in layer.steps {
                out += "  \(s.rule): \(s.input) -> \(s.result)"
                if !s.detail.isEmpty { out += " (\(s.detail))" }
                out += "\n"
            }
            out += "  = \(layer.verdict)" + (layer.reply.map { ": \($0)" } ?? "") + "\n\n"
        }
        out += "verdict: \(verdict)"
        if let decidedBy { out += " by \(decidedBy)" }
        out += "\n"
        if let reply { out += "reply: \(reply)\n" }
        return out
    }

    public var json: String {
        func q(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 {
                        let hex = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        }
        func opt(_ s: String?) -> String { s.map(q) ?? "null" }
        let layerText = layers.map { layer in
            let steps = layer.steps.map {
                "{\"rule\":\(q($0.rule)),\"input\":\(q($0.input)),\"result\":\(q($0.result)),\"detail\":\(q($0.detail))}"
            }.joined(separator: ",")
            return "{\"program\":\(q(layer.program)),\"steps\":[\(steps)],\"verdict\":\(q(layer.verdict)),\"reply\":\(opt(layer.reply))}"
        }.joined(separator: ",")
        return "{\"layers\":[\(layerText)],\"verdict\":\(q(verdict)),\"decided_by\":\(opt(decidedBy)),\"reply\":\(opt(reply))}\n"
    }
}
