import QSentryCore

/// D3: SpamAssassin's spamd as a second opinion (spamc's CHECK): its "Spam: True" makes the message
/// spam even when Bayes does not. A second opinion only: spamd down or a message too large for it
/// holds no mail.
public struct SpamdOpinion: DeliveryRule {
    public static func load(_ root: QmailRoot, user: String, into stage: inout DeliveryStage) throws {
        guard let text = try ControlFile.value(root.qsentry("spamd"))?.text else { return }
        guard let address = ServiceAddress.parse(text) else {
            throw DeliveryStage.SetupError(description: "control/qsentry/spamd: expected a socket path or IP:port")
        }
        stage.spamd = SpamdClient(address: address)
    }

    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("spamd", .qsentry, .socket, "SpamAssassin spamd: a path or host:port (D3)"),
    ]
    public let name: RuleName = "spamd"
    public init() {}

    public func evaluate(_ c: inout DeliveryContext) -> Verdict? {
        guard !c.settled, let spamd = c.stage.spamd else { return nil }
        switch spamd.check(fd: c.fd, size: c.size, user: c.stage.userName) {
        case .verdict(let isSpam, let score, let required):
            c.tag.tests.append("SPAMD_\(score)_\(required)")
            if isSpam { c.tag.isSpam = true }
        case .skipped(let why):
            c.log.add("spamd", "skipped: \(why)")
        case .failed(let why):
            c.log.add("warning", why)
        }
        return nil
    }
}
