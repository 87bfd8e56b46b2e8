import QSentryCore

/// No Bayes verdict is acted on (refusal or tagging) until this many spam and this many ham
/// messages have been learnt: `control/qsentry/bayes-min-learned`, default 200 (SpamAssassin's).
/// A young database scores a few messages' words with great confidence and is wrong.
public enum LearningPeriod {
    public static let defaultMinimum = 200

    public static func minimum(_ root: QmailRoot) throws -> Int {
        try ControlFile.integer(root.qsentry("bayes-min-learned"), default: defaultMinimum, range: 0...1_000_000)
    }
}

/// A score in [0, 1] as the control files, headers and logs write it: whole percent, rounded down.
public enum BayesScore {
    public static func percent(_ score: Double) -> Int { Int((score * 100).rounded(.down)) }
}
