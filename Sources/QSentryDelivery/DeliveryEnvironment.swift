import QSentryCore

/// What qmail-local tells a `.qmail` program (qmail-command(8)): the envelope and the two lines a
/// Maildir delivery starts with. `RPLINE` and `DTLINE` are rebuilt from `SENDER` and `RECIPIENT`
/// when another delivery agent runs us without them.
public struct DeliveryEnvironment: Sendable {
    public var sender: String
    public var recipient: String
    /// The delivery user (qmail-local's `USER`): names the user's Bayes database by default.
    public var user: String
    public var returnPathLine: String
    public var deliveredToLine: String

    /// The environment of a delivery to `recipient` (what `qsentry explain` imagines).
    public init(sender: String, recipient: String, user: String) {
        self.init(sender: sender, recipient: recipient, user: user, returnPathLine: "Return-Path: <\(sender)>\n",
                  deliveredToLine: "Delivered-To: \(recipient)\n")
    }

    init(sender: String, recipient: String, user: String, returnPathLine: String, deliveredToLine: String) {
        self.sender = sender
        self.recipient = recipient
        self.user = user
        self.returnPathLine = returnPathLine
        self.deliveredToLine = deliveredToLine
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func current() throws(Missing) -> DeliveryEnvironment {
        guard let sender = Environment.get("SENDER"), let recipient = Environment.get("RECIPIENT") else {
            throw Missing(description: "SENDER and RECIPIENT are not set: run me from a .qmail file (| qsentry-local ./Maildir/)")
        }
        return DeliveryEnvironment(
            sender: sender, recipient: recipient, user: Environment.get("USER") ?? "",
            returnPathLine: Environment.get("RPLINE") ?? "Return-Path: <\(sender)>\n",
            deliveredToLine: Environment.get("DTLINE") ?? "Delivered-To: \(recipient)\n")
    }
}
