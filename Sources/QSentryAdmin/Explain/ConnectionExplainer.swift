import QSentryConnection
import QSentryCore

/// qsentry-conn on a client address: the program's own decision (ConnectionProgram), dry.
enum ConnectionExplainer {
    static func explain(_ root: QmailRoot, ip: String, relayClient: Bool, rblsmtpd: String? = nil) -> Explanation.Layer {
        var layer = Explanation.Layer(program: "qsentry-conn")
        let program = ConnectionProgram(root: root, client: ClientInfo(ipText: ip), rblsmtpd: rblsmtpd, relayClient: relayClient)
        // Dry: no greeting to wait out (no client), nothing reported to the store.
        let d = program.decide(watchGreeting: nil, report: false)
        if let skipped = d.skippedBy {
            let what = skipped == "RBLSMTPD" ? (rblsmtpd!.isEmpty ? "empty" : rblsmtpd!) : "set"
            layer.steps.append(.init(skipped, input: what, result: d.verdict.action == .accept ? "skip" : d.verdict.action.rawValue,
                                     detail: "every rule skipped"))
        }
        if let why = d.storeError {
            layer.steps.append(.init("store", input: "", result: "skipped", detail: why))
        }
        if d.verdict.rule == "config" {
            layer.steps.append(.init("config", input: "control/qsentry", result: "defer", detail: d.warnings.last ?? ""))
        }
        for r in d.results {
            layer.steps.append(.init(r.rule, input: ip, result: r.verdict.action.rawValue, detail: r.detail))
        }
        let ran = Set(d.results.map(\.rule))
        for rule in d.rules where !ran.contains(rule) {
            layer.steps.append(.init(rule, input: ip, result: "not reached"))
        }
        if d.greetDelay > 0 {
            layer.steps.append(.init("greetdelay", input: "\(d.greetDelay) ms", result: "not simulated",
                                     detail: "refuses clients that talk before the greeting"))
        }
        switch d.verdict.action {
        case .refuse: layer.verdict = "refuse"
        case .deferred: layer.verdict = "defer"
        case .tag: layer.verdict = "tag"
        case .accept: layer.verdict = "accept"
        }
        layer.reply = ConnectionProgram.reply(for: d.verdict)?.description
        return layer
    }
}
