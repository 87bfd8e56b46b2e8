import QSentryCore
import QSentryRecipients

/// The envelope layer's control files, read once per session.
public struct EnvelopeConfiguration {
    public var rcpthosts: DomainList
    public var moreRcptHosts: CDB?
    public var badmailfrom: AddressList
    public var mailfromBlock: AddressList
    public var mailfromBlockDomains: DomainList
    public var rcptBlock: AddressList
    public var rcptAllow: AddressList
    public var honeypots: AddressList
    public var mailfromAllow: AddressList
    public var unfiltered: AddressList
    public var ipAllow: IPList
    /// `sender-rules`: empty-sender, from-equals-to, same-domain (default accept).
    public var senderRules: [String: VerdictAction]
    /// `spf`: action per SPF result; nil when the file is absent (SPF is then not evaluated).
    public var spfActions: [String: VerdictAction]?
    public var maxRecipientsPerMessage: Int
    public var maxRecipientsPerSession: Int
    public var badRecipientLimit: Int
    public var databytes: Int
    public var messages: Messages
    public var recipients: RecipientCheck?
    public var problems: [ControlError]

    public static func load(_ root: QmailRoot) throws -> EnvelopeConfiguration {
        var problems: [ControlError] = []
        func addresses(_ path: String) throws -> AddressList {
            let l = try AddressList.load(path)
            problems += l.problems
            return l
        }
        var more: CDB? = nil
        do { more = try CDB(path: root.control("morercpthosts.cdb")) } catch let e as CDBError where e.kind == .notFound { more = nil }
        let rcpthosts = try DomainList.load(root.control("rcpthosts"))
        let ipAllow = try IPList.load(root.qsentry("ipallow"))
        problems += rcpthosts.problems + ipAllow.problems
        var rules: [String: VerdictAction] = [:]
        var perMessage = 0, perSession = 0
        for pair in try ControlFile.keyValues(root.qsentry("sender-rules")).pairs {
            if let a = VerdictAction(rawValue: pair.value) { rules[pair.key] = a }
        }
        for pair in try ControlFile.keyValues(root.qsentry("maxrcpt")).pairs {
            guard let n = Int(pair.value) else { continue }
            if pair.key == "message" { perMessage = n } else if pair.key == "connection" { perSession = n }
        }
        var spf: [String: VerdictAction]? = nil
        if let lines = try ControlFile.lines(root.qsentry("spf")) {
            var actions: [String: VerdictAction] = [:]
            let (pairs, malformed) = ControlFile.keyValues(lines, path: root.qsentry("spf"))
            problems += malformed
            for pair in pairs { if let a = VerdictAction(rawValue: pair.value) { actions[pair.key] = a } }
            spf = actions
        }
        let (messages, messageProblems) = try Messages.load(root, defaults: { EnvelopePolicy.defaultText($0) })
        problems += messageProblems
        return EnvelopeConfiguration(
            rcpthosts: rcpthosts, moreRcptHosts: more,
            badmailfrom: try addresses(root.control("badmailfrom")),
            mailfromBlock: try addresses(root.qsentry("mailfromblock")),
            mailfromBlockDomains: try DomainList.load(root.qsentry("mailfromblock-domains")),
            rcptBlock: try addresses(root.qsentry("rcptblock")), rcptAllow: try addresses(root.qsentry("rcptallow")),
            honeypots: try addresses(root.qsentry("honeypots")), mailfromAllow: try addresses(root.qsentry("mailfromallow")),
            unfiltered: try addresses(root.qsentry("unfiltered")), ipAllow: ipAllow, senderRules: rules, spfActions: spf,
            maxRecipientsPerMessage: perMessage, maxRecipientsPerSession: perSession,
            badRecipientLimit: try ControlFile.integer(root.qsentry("badrcptlimit"), default: 10, range: 0...10000),
            databytes: try ControlFile.integer(root.control("databytes"), default: 0),
            messages: messages, recipients: try RecipientCheck.load(root), problems: problems)
    }

    /// E3: a domain this host accepts mail for (rcpthosts, then morercpthosts.cdb, as qmail-smtpd).
    public func acceptsMail(for domain: String) throws -> Bool {
        let d = DomainName.normalize(domain)
        if try rcpthosts.match(d) != nil { return true }
        guard let more = moreRcptHosts else { return false }
        if try more.find(d) != nil { return true }
        var rest = Substring(d)
        while let dot = rest.firstIndex(of: ".") {
            if try more.find(String(rest[dot...])) != nil { return true }
            rest = rest[rest.index(after: dot)...]
        }
        return false
    }
}
