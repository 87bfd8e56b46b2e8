import QSentryCore
import QSentryRecipients

/// The envelope layer's control files, read once per session: the files every rule shares here,
/// and each rule's own read by that rule (`EnvelopeRule.load`) into its fields.
public struct EnvelopeConfiguration {
    public var rcpthosts = DomainList()
    public var moreRcptHosts: CDB?
    public var badmailfrom = AddressList()
    public var mailfromBlock = AddressList()
    public var mailfromBlockDomains = DomainList()
    public var rcptBlock = AddressList()
    public var rcptAllow = AddressList()
    public var honeypots = AddressList()
    public var mailfromAllow = AddressList()
    public var unfiltered = AddressList()
    public var ipAllow = IPList()
    /// `sender-rules`: an action for each rule whose `senderRulesKey` names it (default accept).
    public var senderRules: [String: VerdictAction] = [:]
    /// `spf`: action per SPF result; nil when the file is absent (SPF is then not evaluated).
    public var spfActions: [String: VerdictAction]?
    public var maxRecipientsPerMessage = 0
    public var maxRecipientsPerSession = 0
    public var badRecipientLimit = 10
    public var databytes = 0
    public var messages = Messages()
    public var recipients: RecipientCheck?
    /// `greylist`: nil when the file is absent (greylisting off).
    public var greylist: Greylist.Settings?
    /// `sending-limits`: nil when the file is absent (no limits).
    public var sendingLimits: SendingLimit.Settings?
    public var problems: [ControlError] = []

    public init() {}

    public static func load(_ root: QmailRoot) throws -> EnvelopeConfiguration {
        var c = EnvelopeConfiguration()
        // What several rules and the session share: the allow lists, unfiltered, sender-rules,
        // the texts, databytes.
        c.ipAllow = try IPList.load(root.qsentry("ipallow"))
        c.problems += c.ipAllow.problems
        for pair in try ControlFile.keyValues(root.qsentry("sender-rules")).pairs {
            if let a = VerdictAction(rawValue: pair.value) { c.senderRules[pair.key] = a }
        }
        c.mailfromAllow = try c.loadAddresses(root.qsentry("mailfromallow"))
        c.unfiltered = try c.loadAddresses(root.qsentry("unfiltered"))
        c.databytes = try ControlFile.integer(root.control("databytes"), default: 0)
        let (messages, messageProblems) = try Messages.load(root, defaults: { EnvelopePolicy.defaultText($0) })
        c.messages = messages
        c.problems += messageProblems
        // Each rule's own files.
        for rule in EnvelopePolicy.mailRules + EnvelopePolicy.rcptRules {
            try type(of: rule).load(root, into: &c)
        }
        return c
    }

    /// An address list; its malformed lines become problems.
    mutating func loadAddresses(_ path: String) throws -> AddressList {
        let l = try AddressList.load(path)
        problems += l.problems
        return l
    }

    /// E3: a domain this host accepts mail for (rcpthosts, then morercpthosts.cdb, as qmail-smtpd).
    public func acceptsMail(for domain: String) throws -> Bool {
        let d = DomainName.normalize(domain)
        if try rcpthosts.match(d) != nil { return true }
        guard let more = moreRcptHosts else { return false }
        return try more.hasDomain(d)
    }
}
