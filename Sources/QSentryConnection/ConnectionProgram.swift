#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryStore

/// What qsentry-conn does with one connection, from its inputs to what `main` acts on (C1–C11):
/// rblsmtpd's RBLSMTPD and RELAYCLIENT (C9), the configured rules, the early-talker watch (C10),
/// then either the next program (the verdict handed over in the environment, C11) or rblsmtpd's
/// refusal dialogue. `qsentry explain` runs the same type, so it cannot disagree with the program.
public struct ConnectionProgram {
    public static let usage = """
    usage: tcpserver … qsentry-conn [-t timeout] prog [args…]

    Checks the connecting client before the greeting: IP allow and block lists,
    bans and shared reputation, country, p0f fingerprint, reverse DNS and DNS
    blocklists (all DNS questions at once), and early talkers. Then execs prog
    (qsentry-smtpd or qmail-smtpd).

    A refusal is answered like rblsmtpd: greeting, 451 or 553 to each command,
    221 to QUIT, disconnect after timeout seconds (-t, default 60; 0 = answer
    once and hang up). With QSENTRY_DEFER_TO_SMTPD=1 the verdict is exported
    instead (QSENTRY_CONN_VERDICT, _RULE, _TEXT) for qsentry-smtpd to apply at RCPT.

    RBLSMTPD keeps rblsmtpd's meaning: empty skips every check, text refuses with
    451, -text with 553. RELAYCLIENT skips every check.
    Settings: $QMAIL/control/qsentry/ (see qsentry-control(5)).
    """

    public let root: QmailRoot
    public var client: ClientInfo
    /// `RBLSMTPD` as tcprules set it: nil unset, "" skip every rule, text refuse (451, `-text` 553).
    public var rblsmtpd: String?
    public var relayClient: Bool
    /// `QSENTRY_DEFER_TO_SMTPD`: hand a refusal to qsentry-smtpd instead of answering it here.
    public var deferToSMTPD: Bool

    public init(root: QmailRoot, client: ClientInfo, rblsmtpd: String? = nil, relayClient: Bool = false, deferToSMTPD: Bool = false) {
        self.root = root
        self.client = client
        self.rblsmtpd = rblsmtpd
        self.relayClient = relayClient
        self.deferToSMTPD = deferToSMTPD
    }

    /// The program as tcpserver and tcprules start it.
    public static func fromEnvironment() -> ConnectionProgram {
        ConnectionProgram(root: QmailRoot.fromEnvironment(), client: ClientInfo.fromEnvironment(),
                          rblsmtpd: Environment.get(EnvironmentContract.rblsmtpd.name),
                          relayClient: Environment.get(EnvironmentContract.relayClient.name) != nil,
                          deferToSMTPD: Environment.flag(EnvironmentContract.deferToSMTPD.name))
    }

    /// Everything that led to the verdict.
    public struct Decision {
        public var verdict: Verdict = .accept
        /// What each rule that ran said, in order.
        public var results: [RuleResult] = []
        /// The rules configured, in order (those not in `results` were not reached).
        public var rules: [RuleName] = []
        /// RBLSMTPD or RELAYCLIENT, when one of them decided before any rule.
        public var skippedBy: RuleName?
        /// `greetdelay` in milliseconds (0: off) and what the client did meanwhile.
        public var greetDelay = 0
        public var greeting: EarlyTalker.Outcome?
        /// A configuration or store problem worth a warning line.
        public var warnings: [String] = []
        /// Why the store could not be opened (its rules were skipped): `store=error` in the log line.
        public var storeError: String?
    }

    /// What `main` does next.
    public enum Action: Equatable {
        /// Exec the next program, with the verdict handed over (C11) when there is one.
        case exec(handOver: Verdict?)
        /// Answer the refusal here, the way rblsmtpd does, then exit.
        case answer(SMTPReply, host: String)
        /// The client hung up while we waited (greetdelay): exit.
        case hangUp
    }

    /// Decides on the client. `watchGreeting` waits out greetdelay (EarlyTalker.watch; explain
    /// passes nil: it has no client to watch). `report` says whether events go to the store.
    public func decide(watchGreeting: ((Int) -> EarlyTalker.Outcome)? = { EarlyTalker.watch(milliseconds: $0) },
                       report: Bool = true) -> Decision {
        var d = Decision()
        // C9: rblsmtpd's RBLSMTPD, then RELAYCLIENT.
        if let r = rblsmtpd {
            d.skippedBy = "RBLSMTPD"
            if !r.isEmpty {
                let permanent = r.hasPrefix("-")
                d.verdict = Verdict(permanent ? .refuse : .deferred, rule: "RBLSMTPD", text: permanent ? String(r.dropFirst()) : r)
            }
            return d
        }
        if relayClient {
            d.skippedBy = "RELAYCLIENT"
            return d
        }
        // The shared store (C7, C8), opened only when there can be something in it; a store that
        // fails is skipped, never fatal.
        var store: Store? = nil
        do { store = try StoreConfiguration.openIfCreated(root) } catch {
            d.storeError = "\(error)"
            d.warnings.append("store: \(error)")
        }
        let configuration: ConnectionConfiguration
        do {
            configuration = try ConnectionConfiguration.load(root, store: store, openStore: {
                if let store { return store }
                let opened = try StoreConfiguration.open(root)
                store = opened
                return opened
            })
        } catch {
            // An unreadable control file: the rules cannot be applied, so the client comes back later.
            d.warnings.append("\(error)")
            d.verdict = Verdict(.deferred, rule: "config", text: "Temporary local problem; try again later")
            return d
        }
        d.warnings += configuration.problems.map(\.description)
        d.rules = configuration.stage.checks.map(\.name)
        let outcome = configuration.stage.run(client)
        d.results = outcome.results
        d.verdict = outcome.verdict
        d.greetDelay = configuration.greetDelay
        // C10: a client that talks before the greeting is a bot.
        guard d.greetDelay > 0, d.verdict.action == .accept || d.verdict.action == .tag, let watch = watchGreeting else { return d }
        d.greeting = watch(d.greetDelay)
        if d.greeting == .talked {
            // The early talker counts towards a ban (C7) and, with Redis, towards shared reputation (C8).
            if report, let ip = client.ip, let reporter = store ?? (try? StoreConfiguration.open(root)) {
                do {
                    try StoreConfiguration.events(reporter, root, allow: configuration.stage.allow).report(ip, .earlyTalker, now: Int(time(nil)))
                } catch {
                    d.warnings.append("store: early-talker report: \(error)")
                }
            }
            d.verdict = Verdict(.refuse, rule: "early-talker",
                                text: configuration.messages.text("early-talker", .init(ip: client.ipText)))
        }
        return d
    }

    /// The reply a refusal gets (553 permanent, like `rblsmtpd -b`; 451 for deferrals and bans).
    public static func reply(for verdict: Verdict) -> SMTPReply? {
        let text = RefusalDialogue.clean(verdict.text)
        switch verdict.action {
        case .refuse: return SMTPReply(553, "5.7.1", text)
        case .deferred: return SMTPReply(451, "4.7.1", text)
        case .accept, .tag: return nil
        }
    }

    /// What to do with the decision.
    public func action(for d: Decision) -> Action {
        if d.greeting == .hungUp { return .hangUp }
        if let reply = Self.reply(for: d.verdict), !deferToSMTPD {
            let host = (try? ControlFile.value(root.control("me")))??.text.trimmed ?? ""
            return .answer(reply, host: host.isEmpty ? "qsentry-conn.local" : host)
        }
        return .exec(handOver: d.verdict.action == .accept ? nil : d.verdict)
    }

    /// The decision's log fields, in the order the one log line has always had them.
    public static func log(_ d: Decision, action: Action, milliseconds: Int, into line: inout LogLine) {
        if let skipped = d.skippedBy, d.verdict.action == .accept { line.add("skip", skipped) }
        if d.storeError != nil { line.add("store", "error") }
        for r in d.results { line.add(r.rule.rawValue, r.detail) }
        switch d.greeting {
        case .quiet?: line.add("greetdelay", "quiet")
        case .talked?: line.add("greetdelay", "talked")
        case .hungUp?: line.add("greetdelay", "hangup")
        case nil: break
        }
        if d.skippedBy == nil { line.add("ms", milliseconds) }
        if case .hangUp = action { return }
        line.add("verdict", d.verdict.action.rawValue)
        if d.verdict.action != .accept && !d.verdict.rule.isEmpty { line.add("rule", d.verdict.rule) }
        switch action {
        case .answer(let reply, _): line.add("text", reply.text)
        case .exec(_?): line.add("handed", "smtpd")
        default: break
        }
    }
}
