#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryEnvelope
import QSentryStore
import QSentrySPF

/// One SMTP session: qsentry-smtpd answers the client, applies the envelope rules, and passes
/// what it accepts to qmail-smtpd, relaying its replies. Commands are answered strictly in order
/// (PIPELINING: a refused RCPT is answered here and never reaches the child, so the two stay in step).
public final class SMTPSession {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("timeout", .qsentry, .integer(1...3600), "SMTP idle timeout, seconds; default 1200 (E17)"),
    ]
    let connection: ClientConnection
    let reader: LineReader
    let writer: ReplyWriter
    let policy: EnvelopePolicy
    let auth: AuthSettings
    var state: SessionState
    /// Whether STARTTLS is offered, and the TLS session once the client has started one.
    let tls: TLSSettings.Availability
    var tlsTransport: TLSTransport?
    var tlsActive: Bool { tlsTransport != nil }
    var authFailures = 0
    let childArgv: [String]
    let hostname: String
    let root: QmailRoot
    /// The qmail-smtpd this session talks to once its greeting is read and the HELO replayed.
    var child: ChildSMTPD?
    /// One started ahead (at connect, after AUTH, after STARTTLS) whose greeting is not read yet:
    /// its start-up overlaps the client's first round trips instead of adding to the first MAIL.
    var pendingChild: ChildSMTPD?
    var helo = ""
    var sender: SMTPPath?
    var recipients: [String] = []
    /// This transaction's SPF evaluation and the rules that tagged it, for the header qsentry-queue reads.
    var spf: SPFOutcome?
    /// The store, once a rule opened it (StoreConfiguration.open).
    var store: Store?
    /// The trusted sender's counts for this message (E19), read at MAIL.
    var sending: SendingCounts?
    var tags: [String] = []
    let senderDNS: SenderDNS

    /// Command lines longer than this are refused (RFC 5321 allows 512; be generous with extensions).
    static let maxCommandLine = 2048

    public init(connection: ClientConnection, timeoutSeconds: Int, policy: EnvelopePolicy, auth: AuthSettings,
                state: SessionState, childArgv: [String], hostname: String, root: QmailRoot,
                tls: TLSSettings.Availability = .off, startedChild: ChildSMTPD? = nil) {
        self.connection = connection
        self.pendingChild = startedChild
        self.tls = tls
        self.reader = LineReader(connection, timeoutSeconds: timeoutSeconds)
        self.writer = ReplyWriter(connection)
        self.policy = policy
        self.auth = auth
        self.state = state
        self.childArgv = childArgv
        self.hostname = hostname
        self.root = root
        self.senderDNS = SenderDNS(root: root, receiver: hostname)
    }

    /// Set by a refusal that ends the session (421 after too many bad recipients): the loop stops
    /// reading before the next command, pipelined or not.
    var hangingUp = false

    /// Runs until QUIT, end of input or a fatal condition; returns the exit code.
    public func run() -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        writer.send(raw: "220 \(hostname) ESMTP\r\n")
        writer.flush()
        while true {
            let line: [UInt8]
            switch reader.readLine(max: Self.maxCommandLine) {
            case .line(let l): line = l
            case .tooLong:
                reply(SMTPReply(500, "5.5.2", "line too long"))
                continue
            case .eof:
                return 0
            case .timeout:
                writer.send(SMTPReply(421, "4.4.2", "\(hostname) timeout; closing connection"))
                writer.flush()
                return 0
            }
            if line.contains(0) {
                reply(SMTPReply(501, "5.5.2", "NUL byte in command"))
                continue
            }
            let text = String(decoding: line, as: UTF8.self)
            let space = text.firstIndex(of: " ") ?? text.endIndex
            let verb = text[..<space].uppercased()
            let argument = space < text.endIndex ? String(text[text.index(after: space)...]) : ""
            if !handle(verb, argument) || hangingUp { return 0 }
        }
    }

    /// Queues a reply, flushing unless more pipelined commands are already waiting.
    func reply(_ r: SMTPReply) {
        writer.send(r)
        if !reader.hasBuffered { writer.flush() }
    }

    func relay(_ r: ChildSMTPD.Reply) {
        writer.send(bytes: r.wire)
        if !reader.hasBuffered { writer.flush() }
    }

    /// One command; false to end the session.
    func handle(_ verb: String, _ argument: String) -> Bool {
        switch verb {
        case "HELO", "EHLO":
            helo = argument.trimmed
            resetTransaction(tellChild: true)
            if verb == "HELO" {
                reply(SMTPReply(250, "2.0.0", hostname))
            } else {
                // Appended, not joined: joined(separator:) is generic and its first call costs the
                // runtime some 100 K instructions of metadata look-up, a tenth of a whole session.
                var lines = "250-\(hostname)\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
                if case .ready = tls, !tlsActive { lines += "250-STARTTLS\r\n" }
                if auth.available(tls: tlsActive) { lines += "250-AUTH LOGIN PLAIN\r\n250-AUTH=LOGIN PLAIN\r\n" }
                lines += policy.config.databytes > 0 ? "250 SIZE \(policy.config.databytes)\r\n" : "250 SIZE\r\n"
                writer.send(raw: lines)
                if !reader.hasBuffered { writer.flush() }
            }
        case "MAIL": mail(argument)
        case "RCPT": rcpt(argument)
        case "DATA": return data()
        case "AUTH": return auth(argument)
        case "STARTTLS": return startTLS(argument)
        case "RSET":
            resetTransaction(tellChild: true)
            reply(SMTPReply(250, "2.0.0", "flushed"))
        case "NOOP": reply(SMTPReply(250, "2.0.0", "ok"))
        case "VRFY": reply(SMTPReply(252, "2.5.2", "send some mail, I'll try my best"))
        case "HELP": reply(SMTPReply(214, "2.0.0", "qsentry-smtpd in front of qmail-smtpd; see RFC 5321"))
        case "QUIT":
            // The client needs nothing from qmail-smtpd's QUIT: answer first, then end the child.
            writer.send(raw: "221 2.0.0 \(hostname) closing connection\r\n")
            writer.flush()
            tlsTransport?.shutdown()
            stopChild()
            return false
        default:
            reply(SMTPReply(502, "5.5.1", "command not implemented"))
        }
        return true
    }

    func resetTransaction(tellChild: Bool) {
        sender = nil
        recipients = []
        spf = nil
        sending = nil
        tags = []
        if tellChild, let c = child {
            if !c.send("RSET") || c.readReply() == nil { child = nil }
        }
    }

    /// The path after `FROM:` / `TO:`; on a missing keyword or a bad address, replies 501 and returns nil.
    func parsePath(_ argument: String, keyword: String, enhanced: String, what: String) -> SMTPPath? {
        guard argument.uppercased().hasPrefix(keyword) else {
            reply(SMTPReply(501, "5.5.4", "syntax: \(keyword)<address>"))
            return nil
        }
        switch SMTPPath.parse(String(argument.dropFirst(keyword.count))) {
        case .success(let p): return p
        case .failure(let e):
            reply(SMTPReply(501, enhanced, "bad \(what) address: \(e)"))
            return nil
        }
    }

    func mail(_ argument: String) {
        if sender != nil { return reply(SMTPReply(503, "5.5.1", "nested MAIL command")) }
        guard let from = parsePath(argument, keyword: "FROM:", enhanced: "5.1.7", what: "sender") else { return }
        if policy.config.databytes > 0, let size = from.parameters.first(where: { $0.uppercased().hasPrefix("SIZE=") }),
           let n = Int(size.dropFirst(5)), n > policy.config.databytes {
            let r = SMTPReply(552, "5.3.4", "message size exceeds the limit of \(policy.config.databytes) bytes")
            logDataRefusal(from: from, size: n, rule: "databytes", r)
            return reply(r)
        }
        sending = sendingCounts()
        let (decision, found) = policy.mailFrom(from, helo: helo, state, dns: senderDNS, sending: sending)
        log(from: from, to: nil, decision, spf: found)
        guard decision.passes else { return answer(decision) }
        guard let c = ensureChild() else { return reply(SMTPReply(451, "4.3.0", "local error; try again later")) }
        guard c.send("MAIL FROM:<\(from.mailbox)>"), let r = c.readReply() else { return childDied() }
        if r.isPositive {
            sender = from
            spf = found
            if decision.action == .tag { tags.append(decision.rule.rawValue) }
        }
        relay(r)
    }

    func rcpt(_ argument: String) {
        guard let from = sender else { return reply(SMTPReply(503, "5.5.1", "MAIL first")) }
        guard let to = parsePath(argument, keyword: "TO:", enhanced: "5.1.3", what: "recipient") else { return }
        let (decision, greylist) = policy.rcptTo(to, from: from, recipientsInMessage: recipients.count, state, spf: spf,
                                                 greylistStore: policy.config.greylist == nil ? nil : { try self.openStore() },
                                                 sending: sending, taggedBefore: !tags.isEmpty)
        log(from: from, to: to, decision, greylist: greylist)
        guard decision.passes else {
            if RecipientExists.refusedUnknown(decision) { state.badRecipients += 1 }
            return answer(decision)
        }
        guard let c = child else { return childDied() }
        guard c.send("RCPT TO:<\(to.mailbox)>"), let r = c.readReply() else { return childDied() }
        if r.isPositive {
            recipients.append(to.mailbox)
            state.sessionRecipients += 1
            if decision.action == .tag, !tags.contains(decision.rule.rawValue) { tags.append(decision.rule.rawValue) }
        }
        relay(r)
    }

    /// DATA: streamed to the child as it arrives, size counted, our header names protected.
    func data() -> Bool {
        guard sender != nil else { reply(SMTPReply(503, "5.5.1", "MAIL first")); return true }
        guard !recipients.isEmpty else { reply(SMTPReply(554, "5.5.1", "no valid recipients")); return true }
        guard let c = child else { childDied(); return true }
        guard c.send("DATA"), let go = c.readReply() else { childDied(); return true }
        relay(go)
        writer.flush()
        guard go.code == 354 else { return true }
        // Our header fields go first; the client's copies of X-QSentry-* are dropped by DataStream.
        guard c.send(sessionHeader()[...]) else { childDied(); return true }
        var stream = DataStream()
        var tooBig = false
        var childOK = true
        let limit = policy.config.databytes
        while !stream.finished {
            guard let chunk = reader.readChunk() else {
                // The client went away mid-message: the child must not queue half a message.
                child = nil
                return false
            }
            let (out, used) = stream.feed(chunk)
            reader.unread(chunk.dropFirst(used))
            if limit > 0 && stream.size > limit + 5 { tooBig = true }
            // E20: from a bare LF on, nothing more reaches qmail-smtpd (it would hang up on it).
            if !tooBig && !stream.sawBareLineFeed && childOK { childOK = c.send(out) }
        }
        // Refused after the whole message came in: killing qmail-smtpd aborts qmail-queue, so
        // nothing half-accepted is queued.
        let refusal: (SMTPReply, RuleName)?
        if tooBig {
            refusal = (SMTPReply(552, "5.3.4", "message size exceeds the limit of \(limit) bytes"), "databytes")
        } else if stream.sawBareLineFeed {
            refusal = (SMTPReply(451, "4.5.0", "bare LF in the message; lines end in CR LF (see https://cr.yp.to/docs/smtplf.html)"), "bare-lf")
        } else {
            refusal = nil
        }
        if let (r, rule) = refusal {
            if let from = sender { logDataRefusal(from: from, size: stream.size, rule: rule, r) }
            child = nil
            resetTransaction(tellChild: false)
            reply(r)
            return true
        }
        guard childOK, let done = c.readReply() else { childDied(); return true }
        if done.isPositive { recordSending() }
        resetTransaction(tellChild: false)
        relay(done)
        return true
    }

    /// E19: the trusted sender's counts, read once per message when limits apply; store trouble
    /// skips the limits with a log line (mail from customers is not held up by a store).
    func sendingCounts() -> SendingCounts? {
        guard policy.config.sendingLimits != nil, let who = SendingLimit.sender(state) else { return nil }
        do {
            return try openStore().sendingCounts(who, now: Int(time(nil)))
        } catch {
            LogLine.warning("sending-limit: store: \(error)")
            return nil
        }
    }

    /// Adds an accepted message to the trusted sender's counts.
    func recordSending() {
        guard sending != nil, let who = SendingLimit.sender(state) else { return }
        do {
            try openStore().recordSending(who, recipients: recipients.count, now: Int(time(nil)))
        } catch {
            LogLine.warning("sending-limit: store: \(error)")
        }
    }

    func answer(_ decision: Verdict) {
        guard !decision.passes, let r = decision.reply else { return }
        if let event = decision.event { report(event) }
        reply(r)
        if decision.disconnect {
            writer.flush()
            hangingUp = true
        }
    }

    /// Ends the running qmail-smtpd politely (QUIT), if there is one.
    func stopChild() {
        child?.quit()
        child = nil
        pendingChild = nil
    }

    /// After AUTH or STARTTLS the child's environment changes: end the old one, start the new one now.
    func restartChild() {
        stopChild()
        pendingChild = spawnChild()
    }

    /// The child died or stopped answering: the command fails temporarily, never a false 250.
    func childDied() {
        child = nil
        resetTransaction(tellChild: false)
        reply(SMTPReply(451, "4.3.0", "local error; try again later"))
    }

    func spawnChild() -> ChildSMTPD? {
        Self.startChild(childArgv, state: state, tls: tlsEnvironment)
    }

    /// Starts qmail-smtpd with the session's environment (its greeting is read later, by ensureChild):
    /// RELAYCLIENT for trusted and authenticated clients, TCPREMOTEINFO, the TLS facts.
    public static func startChild(_ argv: [String], state: SessionState, tls: [(String, String)] = []) -> ChildSMTPD? {
        var env: [(String, String)] = []
        if state.isTrusted { env.append((EnvironmentContract.relayClient.name, Environment.get(EnvironmentContract.relayClient.name) ?? "")) }
        if let user = state.authUser { env.append((EnvironmentContract.tcpRemoteInfo.name, user)) }
        // Tells qsentry-queue that X-QSentry-Session comes from us (a client's copy never gets through).
        env.append((EnvironmentContract.smtpdSession.name, "1"))
        env += tls
        return try? ChildSMTPD(argv: argv, environment: env)
    }

    /// The session's qmail-smtpd, ready for MAIL: started if need be, its greeting read, the client's HELO replayed.
    func ensureChild() -> ChildSMTPD? {
        if let c = child { return c }
        let started = pendingChild ?? spawnChild()
        pendingChild = nil
        guard let c = started, let greeting = c.readReply(), greeting.code == 220 else {
            var l = LogLine()
            l.add("error", "cannot start \(childArgv[0])")
            l.emit()
            return nil
        }
        guard c.send("HELO \(helo.isEmpty ? "unknown" : helo)"), let r = c.readReply(), r.isPositive else { return nil }
        child = c
        return c
    }

    func report(_ event: StoreEventKind) {
        guard let ip = state.ip else { return }
        do {
            try StoreConfiguration.events(try StoreConfiguration.open(root), root, allow: policy.config.ipAllow).report(ip, event, now: Int(time(nil)))
        } catch {
            LogLine.warning("store: \(error)")
        }
    }

    /// A message refused as a whole: over `databytes` (announced with SIZE, or counted in DATA), or
    /// with a bare LF (E20).
    func logDataRefusal(from: SMTPPath, size: Int, rule: RuleName, _ r: SMTPReply) {
        var l = LogLine()
        l.add("ip", state.ipText)
        l.add("from", from.mailbox)
        if !recipients.isEmpty { l.add("rcpts", recipients.count) }
        l.add("size", size)
        l.add("verdict", r.isTemporary ? "defer" : "refuse")
        l.add("rule", rule)
        l.add("code", r.code)
        l.emit()
    }

    /// The store, opened once per session when a rule first needs it (greylisting, sending limits).
    func openStore() throws -> Store {
        if let store { return store }
        let s = try StoreConfiguration.open(root)
        store = s
        return s
    }

    /// P3: one line per sender and recipient decision, chkuser-like.
    func log(from: SMTPPath, to: SMTPPath?, _ d: Verdict, spf: SPFOutcome? = nil, greylist: GreylistOutcome? = nil) {
        var l = LogLine()
        l.add("ip", state.ipText)
        l.add("from", from.mailbox)
        if let to { l.add("to", to.mailbox) }
        if let user = state.authUser { l.add("auth", user) }
        if let spf { l.add("spf", spf.result.rawValue) }
        if let greylist { l.add("greylist", greylist.name) }
        l.add("verdict", d.action.rawValue)
        if d.action != .accept { l.add("rule", d.rule) }
        if let r = d.reply { l.add("code", r.code) }
        l.emit()
    }
}
