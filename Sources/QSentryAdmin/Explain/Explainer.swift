#if canImport(Glibc)
import Glibc
#endif
import QSentryBayes
import QSentryMessage
import QSentryContent
import QSentryCore
import QSentryOCR
import QSentryMIME

/// A message file, read once for the content and delivery layers.
struct ExplainedMessage {
    let spool: MessageSpool
    let facts: MessageFacts

    /// `ocr`: the image limits qsentry-queue reads the message with (M7), nil for none.
    static func read(_ path: String, ocr: OCRSettings?) throws -> ExplainedMessage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open", path: path, errno: errno) }
        // The spool reads a regular file in place and keeps the descriptor: it stays open for the run.
        var limits = MIMELimits()
        limits.fields = ["x-qsentry-session", "x-qsentry-fuzzy"]
        limits.includeTokenizerFields()
        limits.hashAttachments = true  // M12's attachment hashes, as qsentry-queue reads them when fuzzy is on
        if let ocr {  // M7: the images kept as qsentry-queue keeps them
            limits.images = ocr.images
            limits.imageBytes = ocr.bytes
        }
        var parser = MIMEParser(limits: limits)
        let spool = try MessageSpool.readInPlace(fd, orSpoolIn: "/tmp", parser: &parser)
        return ExplainedMessage(spool: spool, facts: parser.finish())
    }
}

/// A1, `qsentry explain`: every layer run dry on one client, envelope and (optionally) message,
/// through the programs' own configuration loaders and rule stages, so what it says is what
/// they do. Dry: nothing is reported to the store, quarantined, queued or delivered; the rules'
/// own questions (DNS, clamd, spamd, the store) are asked for real.
public struct Explainer {
    public var root: QmailRoot
    public var ip: String
    public var helo = "unknown"
    public var from = ""
    public var to: [String] = []
    public var authUser: String?
    public var relayClient = false
    /// tcprules' RBLSMTPD for the client (nil: unset), as qsentry-conn reads it (C9).
    public var rblsmtpd: String?
    public var messagePath: String?
    public var user: String?
    public var maildir: String?

    public init(root: QmailRoot, ip: String) {
        self.root = root
        self.ip = ip
    }

    public func run() throws -> Explanation {
        var e = Explanation()
        // tcprules' RELAYCLIENT skips qsentry-conn; an authenticated client went through it like anyone.
        e.add(ConnectionExplainer.explain(root, ip: ip, relayClient: relayClient, rblsmtpd: rblsmtpd))
        if e.isDecided { return e }
        let (envelope, accepted) = EnvelopeExplainer.explain(root, ip: ip, helo: helo, from: from, to: to,
                                                             relayClient: relayClient, authUser: authUser)
        e.add(envelope)
        if e.isDecided { return e }
        guard let messagePath else { return e }
        // The ocr file as ContentConfiguration reads it (a malformed one: its defaults; ContentExplainer says why).
        var ignored: [ControlError] = []
        let ocr = try? SettingsFile.load(root.qsentry("ocr"), OCRSettings.load, defaults: OCRSettings(), problems: &ignored)
        let message = try ExplainedMessage.read(messagePath, ocr: ocr ?? nil)
        e.add(ContentExplainer.explain(root, message: message, sender: from, recipients: accepted, ip: ip,
                                       relayClient: relayClient, authUser: authUser))
        if e.isDecided { return e }
        if let user {
            let layer = DeliveryExplainer.explain(root, message: message, sender: from, user: user, maildir: maildir)
            e.layers.append(layer)
            if layer.verdict == "bounce" || layer.verdict == "defer" || layer.verdict == "discard" || layer.verdict == "quarantine" {
                e.verdict = layer.verdict
                e.decidedBy = layer.program
                e.reply = layer.reply
            }
        }
        return e
    }
}
