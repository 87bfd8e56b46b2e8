/// D1: the headers a delivered message carries, in SpamAssassin's shape so existing client rules
/// (`X-Spam-Flag: YES`, `X-Spam-Status: Yes`) work unchanged. Scores are percent (0 ham … 100 spam),
/// not SpamAssassin points: `X-Spam-Status: Yes, score=97 required=90 tests=BAYES_97`.
public struct SpamTag: Equatable, Sendable {
    public var isSpam: Bool
    /// The Bayes score in percent, nil when no database was trained enough to judge.
    public var percent: Int?
    public var requiredPercent: Int
    /// What decided, for people: `BAYES_97`, `BAYES_LEARNING`, `SPAMD_12.3_5.0`, `ALLOW`, `BLOCK`.
    public var tests: [String]
    /// Put before the subject of spam (`[SPAM]`), nil for none.
    public var subjectPrefix: String?

    public init(isSpam: Bool, percent: Int?, requiredPercent: Int, tests: [String], subjectPrefix: String?) {
        self.isSpam = isSpam
        self.percent = percent
        self.requiredPercent = requiredPercent
        self.tests = tests
        self.subjectPrefix = subjectPrefix
    }

    /// The header lines (LF-ended, as qmail stores mail).
    public var headerLines: String {
        let score = percent.map(String.init) ?? "0"
        var s = isSpam ? "X-Spam-Flag: YES\n" : ""
        s += "X-Spam-Score: \(score)\n"
        s += "X-Spam-Status: \(isSpam ? "Yes" : "No"), score=\(score) required=\(requiredPercent) tests=\(tests.isEmpty ? "none" : tests.joined(with: ","))\n"
        return s
    }
}
