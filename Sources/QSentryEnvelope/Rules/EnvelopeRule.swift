import QSentryCore
import QSentrySPF

/// An envelope rule (E1–E13, C11 at RCPT): one type in one file under Rules/, listed in
/// EnvelopePolicy's `mailRules` or `rcptRules` in the order an admin reads them (chkuser's).
///
/// `evaluate` answers for one MAIL or RCPT command: nil when the rule has nothing to say (the
/// next rule runs), `.tag` to mark the message and go on (the first tag is kept), `.accept` to end
/// the stage with an acceptance (trusted clients, RFC 5321's bare postmaster), or a reply, which
/// ends it. It throws only when a list cannot be read (a damaged LIST.cdb): a temporary failure.
public protocol EnvelopeRule {
    /// The rule's name: in the log line, in `control/qsentry/messages`, in `sender-rules`.
    var name: RuleName { get }
    /// The default text of each reply the rule gives, by the name `control/qsentry/messages`
    /// overrides it with (E16); EnvelopePolicy.defaultText assembles them.
    var texts: KeyValuePairs<String, String> { get }
    /// Its key in `sender-rules`, for a rule whose action the admin chooses there.
    var senderRulesKey: String? { get }
    /// The control files it reads, for `qsentry check`'s catalogue.
    static var controlFiles: [ControlFileSpec] { get }
    /// Reads its own files into the session's configuration; malformed lines go to its problems.
    static func load(_ root: QmailRoot, into config: inout EnvelopeConfiguration) throws
    func evaluate(_ c: inout EnvelopeContext) throws -> Verdict?
}

extension EnvelopeRule {
    public var texts: KeyValuePairs<String, String> { [:] }
    public var senderRulesKey: String? { nil }
    public static var controlFiles: [ControlFileSpec] { [] }
    public static func load(_ root: QmailRoot, into config: inout EnvelopeConfiguration) throws {}
}

/// What an envelope rule sees: the configuration, the session, the command's addresses, and
/// what earlier rules found (SPF, for `Received-SPF:`).
public struct EnvelopeContext {
    public let policy: EnvelopePolicy
    public var config: EnvelopeConfiguration { policy.config }
    public let session: SessionState
    public let helo: String
    public let from: SMTPPath
    /// The recipient at RCPT; nil at MAIL.
    public let to: SMTPPath?
    /// Recipients already accepted for this message.
    public let recipientsInMessage: Int
    /// The sender's DNS (E10, E11); nil where no DNS may be asked.
    public let dns: SenderDNS?
    /// SPF's evaluation, once the SPF rule ran (at RCPT: MAIL's, as the session kept it).
    public var spf: SPFOutcome?
    /// The store greylisting asks, opened when first needed; nil where none may be written.
    public let greylistStore: (() throws -> GreylistStore)?
    /// Greylisting's answer for this recipient, once it asked.
    public var greylist: GreylistOutcome?
    /// A trusted sender's counts this hour and day, as the session read them for this message
    /// (SendingLimit); nil when no limits apply or the store did not answer.
    public let sending: SendingCounts?
    /// Whether the message is tagged so far: by a rule at MAIL, for an earlier recipient, or by an
    /// earlier rule of this command (greylisting's `only-tagged`).
    public var taggedSoFar = false
    private var allowListedSender: Bool?

    init(policy: EnvelopePolicy, session: SessionState, helo: String = "", from: SMTPPath, to: SMTPPath? = nil,
         recipientsInMessage: Int = 0, dns: SenderDNS? = nil, spf: SPFOutcome? = nil,
         greylistStore: (() throws -> GreylistStore)? = nil, sending: SendingCounts? = nil) {
        self.spf = spf
        self.sending = sending
        self.greylistStore = greylistStore
        self.policy = policy
        self.session = session
        self.helo = helo
        self.from = from
        self.to = to
        self.recipientsInMessage = recipientsInMessage
        self.dns = dns
    }

    /// %IP%, %Domain%, %EMailTo%, %EMailFrom% for the replies (E16).
    public var values: ReplyTemplate.Values {
        ReplyTemplate.Values(ip: session.ipText, domain: from.domain, emailTo: to?.mailbox ?? "", emailFrom: from.mailbox)
    }

    /// E13: the client's address or the sender is on an allow list (asked once per command).
    public mutating func senderIsAllowListed() throws -> Bool {
        if let known = allowListedSender { return known }
        let allowed = try policy.allowListed(session, from)
        allowListedSender = allowed
        return allowed
    }

    /// Whether the filters apply to this recipient: not `unfiltered`, sender not allow-listed (E13).
    public mutating func recipientIsFiltered() throws -> Bool {
        guard let to else { return false }
        return try config.unfiltered.match(to.mailbox) == nil && !senderIsAllowListed()
    }

    /// The admin's text for `rule` in a reply.
    public func reply(_ code: Int, _ enhanced: String, _ rule: RuleName) -> Verdict {
        policy.refuse(code, enhanced, rule, values)
    }
}
