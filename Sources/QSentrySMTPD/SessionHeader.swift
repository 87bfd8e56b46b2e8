import QSentryCore
import QSentryMessage
import QSentrySPF

/// What qsentry-queue must know about the session travels at the top of the message:
/// `Received-SPF:` (RFC 7208 9.1) and `X-QSentry-Session:` (QSentryMessage's SessionHeader, which
/// writes and reads it).
extension SMTPSession {
    func sessionHeader() -> [UInt8] {
        var header = ""
        if let spf { header += spf.header + "\r\n" }
        let conn = state.connVerdict.map { "\($0.action.rawValue):\($0.rule)" }
        header += SessionHeader(ip: state.ipText, authUser: state.authUser, tls: tlsTransport?.protocolVersion,
                                spf: spf?.result.rawValue, conn: conn, tags: (state.connTag.map { [$0] } ?? []) + tags).field
        return Array(header.utf8)
    }
}
