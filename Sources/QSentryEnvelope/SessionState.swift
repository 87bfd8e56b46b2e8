import QSentryCore

/// What the envelope rules know about the SMTP session.
public struct SessionState: Sendable {
    public let ipText: String
    public let ip: IPAddress?
    /// `RELAYCLIENT` was set (tcprules): the client may relay and skips the filters.
    public let relayClient: Bool
    /// The authenticated user, once SMTP AUTH succeeded.
    public var authUser: String?
    /// qsentry-conn's verdict handed over with QSENTRY_DEFER_TO_SMTPD (refuse or defer), if any.
    public let connVerdict: Verdict?
    /// The rule of qsentry-conn's `tag` verdict (a p0f-policy or rdns `tag`), carried to the
    /// message's tags so qsentry-local reports it.
    public var connTag: String?
    /// Unknown recipients so far (E2) and recipients in the whole session (E5).
    public var badRecipients = 0
    public var sessionRecipients = 0

    public init(ipText: String, relayClient: Bool, authUser: String? = nil, connVerdict: Verdict? = nil) {
        self.ipText = ipText
        self.ip = IPAddress(ipText)
        self.relayClient = relayClient
        self.authUser = authUser
        self.connVerdict = connVerdict
    }

    /// Customer-sent mail (seed 000 layer 5): relay clients and authenticated users skip the filters.
    public var isTrusted: Bool { relayClient || authUser != nil }

    /// From the environment tcpserver and qsentry-conn leave.
    public static func fromEnvironment() -> SessionState {
        var conn: Verdict? = nil
        var tag: String? = nil
        if let v = Environment.get(EnvironmentContract.connVerdict.name), let action = VerdictAction(rawValue: v) {
            let rule = Environment.get(EnvironmentContract.connRule.name) ?? "conn"
            if action == .refuse || action == .deferred {
                conn = Verdict(action, rule: RuleName(rule), text: Environment.get(EnvironmentContract.connText.name) ?? "")
            } else if action == .tag {
                tag = rule
            }
        }
        var state = SessionState(ipText: Environment.get(EnvironmentContract.tcpRemoteIP.name) ?? "",
                                 relayClient: Environment.get(EnvironmentContract.relayClient.name) != nil, connVerdict: conn)
        state.connTag = tag
        return state
    }
}
