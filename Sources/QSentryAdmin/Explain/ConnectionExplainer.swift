import QSentryConnection
import QSentryCore
import QSentryStore

/// qsentry-conn's rules on a client address, with its own configuration and stage.
enum ConnectionExplainer {
    static func explain(_ root: QmailRoot, ip: String, relayClient: Bool) -> Explanation.Layer {
        var layer = Explanation.Layer(program: "qsentry-conn")
        if relayClient {
            layer.steps.append(.init("RELAYCLIENT", input: "set", result: "skip", detail: "every rule skipped"))
            return layer
        }
        // The store as qsentry-conn opens it: only once a program has made it.
        var store: Store? = nil
        do {
            store = try StoreConfiguration.openIfCreated(root)
        } catch {
            layer.steps.append(.init("store", input: "", result: "skipped", detail: "\(error)"))
        }
        let configuration: ConnectionConfiguration
        do {
            configuration = try ConnectionConfiguration.load(root, store: store)
        } catch {
            layer.steps.append(.init("config", input: "control/qsentry", result: "defer", detail: "\(error)"))
            layer.verdict = "defer"
            layer.reply = "451 4.7.1 Temporary local problem; try again later"
            return layer
        }
        let outcome = configuration.stage.run(ClientInfo(ipText: ip))
        for r in outcome.results {
            layer.steps.append(.init(r.rule, input: ip, result: r.verdict.action.rawValue, detail: r.detail))
        }
        let ran = Set(outcome.results.map(\.rule))
        for check in configuration.stage.checks where !ran.contains(check.name) {
            layer.steps.append(.init(check.name, input: ip, result: "not reached"))
        }
        if configuration.greetDelay > 0 {
            layer.steps.append(.init("greetdelay", input: "\(configuration.greetDelay) ms", result: "not simulated",
                                     detail: "refuses clients that talk before the greeting"))
        }
        let text = RefusalDialogue.clean(outcome.verdict.text)
        switch outcome.verdict.action {
        case .refuse:
            layer.verdict = "refuse"
            layer.reply = SMTPReply(553, "5.7.1", text).description
        case .deferred:
            layer.verdict = "defer"
            layer.reply = SMTPReply(451, "4.7.1", text).description
        case .tag: layer.verdict = "tag"
        case .accept: layer.verdict = "accept"
        }
        return layer
    }
}
