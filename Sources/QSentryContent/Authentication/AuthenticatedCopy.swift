#if canImport(Glibc)
import Glibc
#endif
import QSentryAuth
import QSentryCore
import QSentryMessage

/// The message as it goes to qmail-queue after M11: its new fields on top (Authentication-Results,
/// a DKIM-Signature), and, for mail from outside, every Authentication-Results that claims our
/// authserv-id removed (RFC 8601 §5: a client's copy could otherwise pass for ours).
public struct AuthenticatedCopy {
    public let prefix: [UInt8]
    /// The header as read, and the fields to leave out of it.
    let header: MessageHeader?
    let headerBytes: [UInt8]
    let drop: [Range<Int>]

    public init(prefix: [UInt8], spool: MessageSpool, removingResultsOf authservID: String?) {
        self.prefix = prefix
        guard let authservID, let (header, bytes) = try? MessageHeader.read(spool.fd) else {
            self.header = nil
            headerBytes = []
            drop = []
            return
        }
        let id = authservID.lowercased()
        let forged = header.all("authentication-results").filter { AuthenticationResultsField.authservID(ofValue: $0.value) == id }
        self.header = forged.isEmpty ? nil : header
        headerBytes = forged.isEmpty ? [] : bytes
        drop = forged.map(\.span)
    }

    /// How many client-supplied fields with our authserv-id are left out.
    public var removed: Int { drop.count }

    public func write(_ spool: MessageSpool, to out: Int32) -> Bool {
        guard let header else { return spool.copy(to: out, prefix: prefix) }
        do {
            try FileBytes.writeAll(out, prefix, path: "copy")
            var at = 0
            for r in drop {
                try FileBytes.writeAll(out, headerBytes[at..<r.lowerBound], path: "copy")
                at = r.upperBound
            }
            try FileBytes.writeAll(out, headerBytes[at..<header.bodyOffset], path: "copy")
            guard lseek(spool.fd, off_t(header.bodyOffset), SEEK_SET) == off_t(header.bodyOffset) else { return false }
            try FileBytes.copy(from: spool.fd, to: out, path: "spool")
            return true
        } catch {
            return false
        }
    }
}
