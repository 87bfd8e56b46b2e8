import QSentryCore
import QSentryDelivery

/// qsentry-local's decision for one user, with the site's settings and, given the Maildir of the
/// user's `.qmail` line, the user's own (`.qsentry/` beside it). Nothing is delivered.
enum DeliveryExplainer {
    static func explain(_ root: QmailRoot, message: ExplainedMessage, sender: String, user: String,
                        maildir: String?) -> Explanation.Layer {
        var layer = Explanation.Layer(program: "qsentry-local")
        let input = user.isEmpty ? "no user (global database)" : "user \(user)"
        let p: DeliveryPreferences
        do {
            p = try DeliveryPreferences.load(root, userDirectory: maildir.map(DeliveryPreferences.userDirectory(forMaildir:)))
            for problem in p.problems { layer.steps.append(.init("preferences", input: input, result: "warning", detail: problem)) }
        } catch {
            layer.steps.append(.init("config", input: input, result: "defer", detail: "\(error)"))
            layer.verdict = "defer"
            layer.reply = "exit 111 (qmail-local tries again later)"
            return layer
        }
        // qsentry-local's own decision: the program's type, with the delivery it would be run for.
        let program = DeliveryProgram(root: root, maildir: Maildir(maildir ?? "./Maildir/"), user: user,
                                      environment: DeliveryEnvironment(sender: sender, recipient: user, user: user))
        var log = LogLine(program: "qsentry-local")
        layer.steps.append(.init("settings", input: input, result: "threshold \(p.thresholdPercent) %", detail: "action \(p.action)"))
        switch program.decide(message.spool, message.facts, preferences: p, log: &log) {
        case .deliver(let tag, let folder):
            layer.steps.append(.init("score", input: input, result: tag.isSpam ? "spam" : "ham",
                                     detail: tag.tests.joined(separator: ",") + (tag.percent.map { "; \($0) %" } ?? "; no Bayes verdict")))
            layer.verdict = folder.map { "deliver to \($0)" } ?? (tag.isSpam ? "deliver tagged as spam" : "deliver")
            layer.reply = "exit 99 (delivered)"
        case .discard(let tag):
            layer.steps.append(.init("score", input: input, result: "spam", detail: tag.tests.joined(separator: ",")))
            layer.verdict = "discard"
            layer.reply = "exit 99 (discarded)"
        case .bounce(let text):
            layer.verdict = "bounce"
            layer.reply = "exit 100 (bounced: \(text))"
        case .virus(let signature):
            layer.steps.append(.init("virus", input: input, result: "hit", detail: signature))
            layer.verdict = "quarantine"
            layer.reply = "exit 99 (quarantined)"
        case .temporary(let why):
            layer.steps.append(.init("delivery", input: input, result: "defer", detail: why))
            layer.verdict = "defer"
            layer.reply = "exit 111 (qmail-local tries again later)"
        }
        return layer
    }
}
