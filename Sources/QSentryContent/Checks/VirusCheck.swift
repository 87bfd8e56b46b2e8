import QSentryCore
import QSentryScan

/// M1: ClamAV (clamd or libclamav) on the message as received. A virus is refused with its
/// signature name; a scanner that gives no answer defers the message unless
/// `scan-failure` says `accept`.
public struct VirusCheck: ContentCheck {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("clamd", .qsentry, .socket, "clamd socket: a path or host:port (M1)"),
        .init("clamav-db", .qsentry, .path, "ClamAV database directory for in-process libclamav (M1)"),
        .init("scan-failure", .qsentry, .text, "defer (default) or accept when the virus scanner gives no answer (M1, M10)"),
    ]
    public let name: RuleName = "virus"
    let scanner: VirusScanner
    let acceptOnFailure: Bool

    public init(scanner: VirusScanner, acceptOnFailure: Bool) {
        self.scanner = scanner
        self.acceptOnFailure = acceptOnFailure
    }

    public var scannerName: String { scanner.name }

    public func evaluate(_ c: inout ContentContext) -> Verdict? {
        let (verdict, clean) = inspect(c.message)
        c.scannedClean = clean
        c.trail.append("virus:\(clean ? "clean" : verdict == .accept ? "unscanned" : "hit")")
        return verdict == .accept ? nil : verdict
    }

    /// The verdict, and whether the scanner really found the message clean (not merely let through
    /// after a failure): only then does the message get an X-Virus-Scanned header.
    public func inspect(_ m: ScannedMessage) -> (verdict: Verdict, scannedClean: Bool) {
        switch scanner.scan(fd: m.spool, size: m.size) {
        case .clean: return (.accept, true)
        case .virus(let signature):
            return (.refuse(rule: name, text: "message contains a virus: \(SMTPReply.sanitize(signature))", event: .virus), false)
        case .failed(let why):
            LogLine.warning("virus scan failed: \(why)")
            return (acceptOnFailure ? .accept : .deferred(rule: "virus-temporary", text: "virus scanner unavailable; try again later"), false)
        }
    }
}
