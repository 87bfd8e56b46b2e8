import QSentryBayes
import QSentryCore
import QSentryScan
import QSentryStore

extension DeliveryStage {
    /// Why the stage cannot be set up: qsentry-local defers the delivery (111).
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stage qsentry-local runs for `user`, as the site's control files set it up: each rule
    /// loads what it needs (the virus scan, Bayes once anything was learnt, spamd). Shared with
    /// `qsentry explain`, so the two cannot disagree.
    public static func configured(_ root: QmailRoot, user: String, preferences: DeliveryPreferences) throws -> DeliveryStage {
        var stage = DeliveryStage(preferences: preferences)
        stage.userName = user
        for rule in rules { try type(of: rule).load(root, user: user, into: &stage) }
        return stage
    }
}
