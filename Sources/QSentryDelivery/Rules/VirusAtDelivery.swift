import QSentryCore
import QSentryScan

/// D4, `local-virus-scan` (installs without qsentry-queue): clamd scans the message; a virus is
/// quarantined and never delivered; a scanner that does not answer defers unless `scan-failure` is
/// `accept`.
public struct VirusAtDelivery: DeliveryRule {
    public static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws {
        guard try ControlFile.integer(root.qsentry("local-virus-scan"), default: 0, range: 0...1) == 1 else { return }
        guard let text = try ControlFile.value(root.qsentry("clamd"))?.text, let address = ClamdScanner.parse(text) else {
            throw DeliveryStage.SetupError(description: "local-virus-scan is on but control/qsentry/clamd names no clamd")
        }
        let accept = try ControlFile.value(root.qsentry("scan-failure"))?.text.trimmed.lowercased() == "accept"
        stage.virus = (ClamdScanner(address: address), accept)
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("local-virus-scan", .qsentry, .integer(0...1), "1: qsentry-local scans with clamd too, for installs without QMAILQUEUE (D4)"),
    ]
    public let name: RuleName = "virus"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard let (scanner, acceptOnFailure) = c.stage.virus else { return nil }
        switch scanner.scan(fd: c.fd, size: c.size) {
        case .clean:
            c.log.add("virus", "clean")
            return nil
        case .virus(let signature):
            return .refuse(rule: name, text: signature, event: .virus)
        case .failed(let why):
            c.log.add("virus", "failed")
            return acceptOnFailure ? nil : .deferred(rule: name, text: "virus scan failed: \(why)")
        }
    }
}
