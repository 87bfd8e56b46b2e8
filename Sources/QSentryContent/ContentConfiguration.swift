import QSentryBayes
import QSentryMessage
import QSentryMIME
import QSentryOCR
import QSentryCore
import QSentryDNS
import QSentryScan
import QSentryStore

/// Everything qsentry-queue's rules read from `control/qsentry/`, loaded once per message.
/// Only what is configured is opened: no clamd connection without `clamd`, no libclamav
/// without `clamav-db`, no resolver or PSL without `uribl`.
public struct ContentConfiguration {
    /// The spam rules in order, after the virus scan and the bypasses (ContentStage.rules). M6 last:
    /// the store is the dearest thing to open, and most spam is refused before it.
    public static let ruleTypes: [RuleType] = [RuleType(AttachmentCheck.self), RuleType(SubjectSpacesCheck.self),
                                               RuleType(KeywordCheck.self), RuleType(URIBLCheck.self), RuleType(BayesCheck.self)]

    /// The content stage's control files: the virus scan's, each rule's, the quarantine's and
    /// content-domains.
    public static let controlFiles: [ControlFileSpec] = VirusCheck.controlFiles + ruleTypes.flatMap { $0.type.controlFiles }
        + AuthenticationSettings.controlFiles + FuzzyCheck.controlFiles + OCRSettings.controlFiles + Quarantine.controlFiles + DomainRules.controlFiles

    public var virus: VirusCheck?
    /// M11 (DKIM, DMARC, ARC, signing); nil when `authentication` says off.
    public var authentication: AuthenticationSettings?
    /// M12; nil unless `fuzzy` has a setting.
    public var fuzzy: FuzzyCheck?
    /// M7; nil unless `ocr` has a setting.
    public var ocr: OCRSettings?
    /// `control/me`, read once for whoever names this host (M11's authserv-id, M12's sightings,
    /// X-Virus-Scanned): its trimmed line, nil without the file, or the error reading it.
    public var me: Result<String?, Error> = .success(nil)
    public var rules: [ContentCheck] = []
    public var allowPhrases: [String] = []
    public var unfiltered = AddressList()
    /// The senders mailbox users allowed from the web console (A3).
    public var releasedSenders: ReleasedSenders?
    public var domainRules = DomainRules()
    public var quarantineDirectory: String
    /// The message's store, shared by the rules and the refusal's event.
    public var store: SharedStore?
    public var problems: [ControlError] = []

    public init(quarantineDirectory: String) { self.quarantineDirectory = quarantineDirectory }

    /// Whether a configured rule reads the message's hosts (URIBL looks them up, Bayes makes tokens
    /// of them); when none does, the parser looks for none.
    public var readsHosts: Bool { rules.contains { $0 is URIBLCheck || $0 is BayesCheck } }

    /// Whether a configured rule reads the message's text: the keywords and their allow list,
    /// URIBL (its hosts are found in the text), Bayes and the fuzzy hashes. Attachment names, the
    /// subject and the virus scan do not.
    public var readsText: Bool {
        readsHosts || fuzzy != nil || !allowPhrases.isEmpty || rules.contains { $0 is KeywordCheck }
    }

    /// What the parser gathers for these rules and no more: with only the virus scan on, no text,
    /// hosts or tokenizer fields (the parse of a 10 KB message 189 K -> 110 K instructions, callgrind).
    public var parserLimits: MIMELimits {
        var limits = MIMELimits()
        limits.fields = ["x-qsentry-session"]
        if rules.contains(where: { $0 is BayesCheck }) { limits.includeTokenizerFields() }
        if !readsText { limits.text = 0 }
        if !readsHosts { limits.hosts = 0 }
        limits.hashAttachments = fuzzy != nil
        if let ocr {
            limits.images = ocr.images
            limits.imageBytes = ocr.bytes
        }
        return limits
    }

    public static func load(_ root: QmailRoot) throws -> ContentConfiguration {
        var c = ContentConfiguration(quarantineDirectory: try Quarantine.configuredDirectory(root))
        c.releasedSenders = ReleasedSenders(root: root)
        let acceptOnFailure = try ControlFile.value(root.qsentry("scan-failure"))?.text.trimmed.lowercased() == "accept"
        if let line = try ControlFile.value(root.qsentry("clamd")) {
            guard let address = ClamdScanner.parse(line.text) else {
                throw ControlError(path: root.qsentry("clamd"), line: line.number, "expected a socket path or host:port")
            }
            c.virus = VirusCheck(scanner: ClamdScanner(address: address), acceptOnFailure: acceptOnFailure)
        } else if let dir = try ControlFile.value(root.qsentry("clamav-db"))?.text.trimmed {
            // In qsentry-libclamav: a database that does not load is a failed scan, as scan-failure says.
            c.virus = VirusCheck(scanner: LibClamAVHelperScanner(databaseDirectory: dir), acceptOnFailure: acceptOnFailure)
        }
        let store = SharedStore(root: root)
        c.store = store
        var setup = ContentSetup(root: root, store: store)
        for rule in ruleTypes {
            if let check = try rule.configured(&setup) { c.rules.append(check) }
        }
        c.problems += setup.problems
        c.me = Result { try ControlFile.value(root.control("me"))?.text.trimmed }
        // mailfromallow, for M11 and M12 alike: read when the first of them needs it, once.
        var allowed: AddressList?
        let allowedSenders = { () throws -> AddressList in
            if let allowed { return allowed }
            let list = try AddressList.load(root.qsentry("mailfromallow"))
            allowed = list
            return list
        }
        c.authentication = try AuthenticationSettings.load(root, me: c.me, allowedSenders: allowedSenders, problems: &c.problems)
        c.fuzzy = try FuzzyCheck.configured(root, me: c.me, allowedSenders: allowedSenders, store: setup.store, problems: &c.problems)
        c.ocr = try SettingsFile.load(root.qsentry("ocr"), OCRSettings.load, defaults: OCRSettings(), problems: &c.problems)
        c.allowPhrases = (try ControlFile.lines(root.qsentry("keywords-allow")) ?? []).map { KeywordText.normalize($0.text) }.filter { !$0.isEmpty }
        c.unfiltered = try AddressList.load(root.qsentry("unfiltered"))
        let (domainRules, problems) = try DomainRules.load(root)
        c.domainRules = domainRules
        c.problems += problems
        return c
    }
}
