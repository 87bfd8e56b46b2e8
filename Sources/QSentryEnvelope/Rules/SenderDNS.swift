import QSentryCore
import QSentryDNS

/// The sender rules' DNS (E10, E11) for one session: qsentry's one resolver, made only when a
/// rule that needs it runs (a session with neither `sender-mx` nor `spf` configured opens none).
public final class SenderDNS {
    let root: QmailRoot
    /// This host's name, for SPF's explanations and `Received-SPF:`.
    let receiver: String
    private var made: Resolver?
    private var failed = false

    public init(root: QmailRoot, receiver: String) {
        self.root = root
        self.receiver = receiver
    }

    /// The resolver, or nil when `dnsservers` or resolv.conf cannot be read (then configurationProblem).
    func resolver() -> Resolver? {
        if let r = made { return r }
        if failed { return nil }
        do { made = try Resolver.configured(root: root) } catch { failed = true }
        return made
    }

    static let configurationProblem = Verdict.reply(
        SMTPReply(451, "4.3.0", "temporary DNS configuration problem; try again later"), rule: "dns-config")

    /// The sender rules' texts name the HELO for the empty sender.
    static func values(_ c: EnvelopeContext) -> ReplyTemplate.Values {
        ReplyTemplate.Values(ip: c.session.ipText, domain: c.from.isNull ? c.helo : c.from.domain, emailTo: "", emailFrom: c.from.mailbox)
    }
}
