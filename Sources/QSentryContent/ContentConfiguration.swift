import QSentryBayes
import QSentryMessage
import QSentryCore
import QSentryDNS
import QSentryScan
import QSentryStore

/// Everything qsentry-queue's rules read from `control/qsentry/`, loaded once per message.
/// Only what is configured is opened: no clamd connection without `clamd`, no libclamav
/// without `clamav-db`, no resolver or PSL without `uribl`.
public struct ContentConfiguration {
    /// The content stage's control files: each rule's, the quarantine's and content-domains.
    public static let controlFiles: [ControlFileSpec] = VirusCheck.controlFiles + AttachmentCheck.controlFiles
        + KeywordCheck.controlFiles + SubjectSpacesCheck.controlFiles + URIBLCheck.controlFiles + BayesCheck.controlFiles
        + Quarantine.controlFiles + DomainRules.controlFiles

    public var virus: VirusCheck?
    public var rules: [ContentCheck] = []
    public var allowPhrases: [String] = []
    public var unfiltered = AddressList()
    public var domainRules = DomainRules()
    public var quarantineDirectory: String
    public var problems: [ControlError] = []

    public init(quarantineDirectory: String) { self.quarantineDirectory = quarantineDirectory }

    public static func load(_ root: QmailRoot) throws -> ContentConfiguration {
        var c = ContentConfiguration(quarantineDirectory: try Quarantine.configuredDirectory(root))
        let acceptOnFailure = try ControlFile.value(root.qsentry("scan-failure"))?.text.trimmed.lowercased() == "accept"
        if let line = try ControlFile.value(root.qsentry("clamd")) {
            guard let address = ClamdScanner.parse(line.text) else {
                throw ControlError(path: root.qsentry("clamd"), line: line.number, "expected a socket path or host:port")
            }
            c.virus = VirusCheck(scanner: ClamdScanner(address: address), acceptOnFailure: acceptOnFailure)
        } else if let dir = try ControlFile.value(root.qsentry("clamav-db"))?.text.trimmed {
            do {
                c.virus = VirusCheck(scanner: try LibClamAVScanner(databaseDirectory: dir), acceptOnFailure: acceptOnFailure)
            } catch {
                if !acceptOnFailure { throw error }
                c.problems.append(ControlError(path: root.qsentry("clamav-db"), line: 1, "\(error)"))
            }
        }
        if let lines = try ControlFile.lines(root.qsentry("attachments")), !lines.isEmpty {
            c.rules.append(AttachmentCheck(patterns: lines.map(\.text)))
        }
        // 0 (the default): no limit.
        let spaces = try ControlFile.integer(root.qsentry("subject-spaces"), default: 0, range: 0...1000)
        if spaces > 0 { c.rules.append(SubjectSpacesCheck(maximum: spaces)) }
        if let lines = try ControlFile.lines(root.qsentry("keywords")), !lines.isEmpty {
            c.rules.append(KeywordCheck(phrases: lines.map(\.text)))
        }
        c.allowPhrases = (try ControlFile.lines(root.qsentry("keywords-allow")) ?? []).map { KeywordText.normalize($0.text) }.filter { !$0.isEmpty }
        var zones: [DNSBLZone] = []
        let uriblPath = root.qsentry("uribl")
        for line in try ControlFile.lines(uriblPath) ?? [] {
            switch DNSBLZone.parse(line.text) {
            case .success(let z): zones.append(z)
            case .failure(let e): c.problems.append(ControlError(path: uriblPath, line: line.number, e.message))
            }
        }
        if !zones.isEmpty {
            c.rules.append(URIBLCheck(zones: zones, domains: RegistrableDomain()) { try Resolver.configured(root: root) })
        }
        // M6 last: the store is the dearest thing to open, and most spam is refused before it.
        if let percent = try ControlFile.integer(root.qsentry("bayes-reject"), range: 1...100) {
            c.rules.append(BayesCheck(rejectPercent: percent, minimumLearned: try LearningPeriod.minimum(root)) {
                try StoreConfiguration.open(root)
            })
        }
        c.unfiltered = try AddressList.load(root.qsentry("unfiltered"))
        let (domainRules, problems) = try DomainRules.load(root)
        c.domainRules = domainRules
        c.problems += problems
        return c
    }
}
