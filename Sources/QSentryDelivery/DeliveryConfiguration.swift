import QSentryBayes
import QSentryCore
import QSentryScan
import QSentryStore

extension DeliveryStage {
    /// Why the stage cannot be set up: qsentry-local defers the delivery (111).
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stage qsentry-local runs for `user`, as the site's control files set it up: the
    /// virus scan (local-virus-scan), spamd, and Bayes once anything was learnt. Shared with
    /// `qsentry explain`, so the two cannot disagree.
    public static func configured(_ root: QmailRoot, user: String, preferences: DeliveryPreferences) throws -> DeliveryStage {
        var stage = DeliveryStage(preferences: preferences)
        stage.userName = user
        if try ControlFile.integer(root.qsentry("local-virus-scan"), default: 0, range: 0...1) == 1 {
            guard let text = try ControlFile.value(root.qsentry("clamd"))?.text, let address = ClamdScanner.parse(text) else {
                throw SetupError(description: "local-virus-scan is on but control/qsentry/clamd names no clamd")
            }
            let accept = try ControlFile.value(root.qsentry("scan-failure"))?.text.trimmed.lowercased() == "accept"
            stage.virus = (ClamdScanner(address: address), accept)
        }
        if let text = try ControlFile.value(root.qsentry("spamd"))?.text {
            guard let address = ServiceAddress.parse(text) else {
                throw SetupError(description: "control/qsentry/spamd: expected a socket path or IP:port")
            }
            stage.spamd = SpamdClient(address: address)
        }
        let url = try StoreConfiguration.configuredURL(root)
        if try StoreConfiguration.mayHoldTokens(root, url: url) {
            let store = try StoreConfiguration.open(root, url: url)
            stage.bayes = (BayesDatabase(store: store), user.isEmpty ? nil : BayesDatabase(store: store, user: user))
            stage.minimumLearned = try LearningPeriod.minimum(root)
        }
        return stage
    }
}
