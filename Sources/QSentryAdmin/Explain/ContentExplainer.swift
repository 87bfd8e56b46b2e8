import QSentryAuth
import QSentryContent
import QSentryOCR
import QSentryMessage
import QSentryCore

/// qsentry-queue's content stage on a message file, with the envelope qsentry-smtpd would pass.
/// Nothing is quarantined, reported or queued.
enum ContentExplainer {
    static func explain(_ root: QmailRoot, message: ExplainedMessage, sender: String, recipients: [String],
                        ip: String, relayClient: Bool, authUser: String?) -> Explanation.Layer {
        var layer = Explanation.Layer(program: "qsentry-queue")
        let config: ContentConfiguration
        do { config = try ContentConfiguration.load(root) } catch {
            layer.steps.append(.init("config", input: "control/qsentry", result: "defer", detail: "\(error)"))
            layer.verdict = "defer"
            layer.reply = Self.reply(permanent: false, text: "\(error)")
            return layer
        }
        let session = SessionFacts(ip: ip, authUser: authUser, trusted: relayClient || authUser != nil)
        // M7: the images read as qsentry-queue reads them, each one's text shown.
        var facts = message.facts
        let program = QueueProgram(root: root, config: config)
        for (i, reading) in program.readImages(&facts, spoolDirectory: "/tmp").enumerated() {
            switch reading {
            case .text(let t):
                layer.steps.append(.init("ocr image \(i + 1)", input: "image", result: "read",
                                         detail: t.split(whereSeparator: { $0 == "\n" }).joined(separator: " / ")))
            case .skipped(let why):
                layer.steps.append(.init("ocr image \(i + 1)", input: "image", result: "skipped", detail: why))
            }
        }
        let scanned = ScannedMessage(spool: message.spool.fd, size: message.spool.size, facts: facts,
                                     envelope: QmailEnvelope(sender: sender, recipients: recipients), session: session)
        let outcome = program.decide(scanned, dryRun: true)
        for entry in outcome.trail {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            layer.steps.append(.init(parts[0], input: "message (\(message.spool.size) bytes)", result: parts.count > 1 ? parts[1] : "applied"))
        }
        if let results = outcome.authentication {
            // M11: the field qsentry-queue would put on top, one line.
            let field = results.field.split(separator: "\n").map { $0.trimmed }.joined(separator: " ")
            layer.steps.append(.init("authentication-results", input: "DKIM, ARC, DMARC (\(results.summary))", result: "header", detail: field))
        }
        let v = outcome.verdict
        switch v.action {
        case .accept, .tag:
            layer.verdict = "accept"
            if let kept = outcome.quarantine {
                layer.verdict = "quarantine"
                layer.steps.append(.init(kept.rule, input: "verdict", result: "quarantine", detail: "accepted from the client, kept in the quarantine: \(kept.text)"))
            }
        case .refuse:
            layer.verdict = "refuse"
            layer.reply = Self.reply(permanent: true, text: v.text)
            layer.steps.append(.init(v.rule, input: "verdict", result: "refuse", detail: v.text))
        case .deferred:
            layer.verdict = "defer"
            layer.reply = Self.reply(permanent: false, text: v.text)
            layer.steps.append(.init(v.rule, input: "verdict", result: "defer", detail: v.text))
        }
        return layer
    }

    /// What the client sees: qmail-smtpd's fixed text for qmail-queue's exit code, or with
    /// notqmail's qmail-smtpd (exit 82 and fd 6) the rule's own text.
    static func reply(permanent: Bool, text: String) -> String {
        let clean = SMTPReply.sanitize(text)
        return permanent
            ? "554 mail server permanently rejected message (#5.3.0) [notqmail's qmail-smtpd: 554 \(clean) (#5.7.1)]"
            : "451 mail server temporarily rejected message (#4.3.0) [notqmail's qmail-smtpd: 451 \(clean) (#4.3.0)]"
    }
}
