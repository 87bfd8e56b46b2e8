/// qmail-queue's envelope (qmail-queue(8)): `F<sender>\0`, then `T<recipient>\0` for each
/// recipient, then an extra `\0`. Read from fd 1 of a QMAILQUEUE program.
public struct QmailEnvelope: Equatable, Sendable {
    public var sender: String
    public var recipients: [String]

    /// Longest address taken (qmail-smtpd's own limit is far lower in practice).
    public static let maxAddress = 1000
    public static let maxRecipients = 100_000

    public init(sender: String, recipients: [String]) {
        self.sender = sender
        self.recipients = recipients
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ bytes: [UInt8]) throws(FormatError) -> QmailEnvelope {
        var fields = bytes.split(separator: 0, omittingEmptySubsequences: false)
        // The terminator: the envelope ends with "\0\0", which splits into two empty fields.
        guard fields.count >= 3, fields.last?.isEmpty == true, fields[fields.count - 2].isEmpty else {
            throw FormatError(description: "envelope is not terminated (truncated?)")
        }
        fields.removeLast(2)
        guard let first = fields.first, first.first == UInt8(ascii: "F") else { throw FormatError(description: "envelope does not start with F") }
        guard first.count - 1 <= maxAddress else { throw FormatError(description: "sender address too long") }
        var recipients: [String] = []
        for f in fields.dropFirst() {
            guard f.first == UInt8(ascii: "T"), f.count > 1 else { throw FormatError(description: "malformed recipient field") }
            guard f.count - 1 <= maxAddress else { throw FormatError(description: "recipient address too long") }
            recipients.append(String(decoding: f.dropFirst(), as: UTF8.self))
            if recipients.count > maxRecipients { throw FormatError(description: "too many recipients") }
        }
        guard !recipients.isEmpty else { throw FormatError(description: "envelope has no recipients") }
        return QmailEnvelope(sender: String(decoding: first.dropFirst(), as: UTF8.self), recipients: recipients)
    }

    /// The sender of an envelope cut short, for the log line about it.
    public static func partialSender(_ bytes: [UInt8]) -> String? {
        guard bytes.first == UInt8(ascii: "F"), let end = bytes.firstIndex(of: 0) else { return nil }
        return String(decoding: bytes[1..<min(end, maxAddress + 1)], as: UTF8.self)
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "F")] + Array(sender.utf8) + [0]
        for r in recipients { out += [UInt8(ascii: "T")] + Array(r.utf8) + [0] }
        out.append(0)
        return out
    }

    /// The domain part of each recipient, lower case, without duplicates.
    public var recipientDomains: [String] {
        var seen: Set<String> = []
        return recipients.compactMap { r in
            guard let at = r.lastIndex(of: "@") else { return nil }
            let d = r[r.index(after: at)...].lowercased()
            return seen.insert(d).inserted ? d : nil
        }
    }
}
