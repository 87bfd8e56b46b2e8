import QSentryCore
import QSentrySPF

/// What qsentry-queue must know about the session travels at the top of the message:
/// `Received-SPF:` (RFC 7208 9.1) and `X-QSentry-Session:` with the client address, the
/// authenticated user, the TLS version, the SPF result, conn's verdict and the rules that tagged the message.
/// A client cannot forge it: DataStream drops every X-QSentry-* field the client sends, and
/// qsentry-queue believes the field only when QSENTRY_SMTPD=1 is in its environment.
extension SMTPSession {
    func sessionHeader() -> [UInt8] {
        var fields: [String] = []
        if let spf { fields.append(spf.header) }
        var session = "X-QSentry-Session: ip=\(Self.token(state.ipText))"
        if let user = state.authUser { session += "; auth=\(Self.token(user))" }
        if let t = tlsTransport { session += "; tls=\(Self.token(t.protocolVersion))" }
        if let spf { session += "; spf=\(spf.result.rawValue)" }
        if let conn = state.connVerdict { session += "; conn=\(conn.action.rawValue):\(Self.token(conn.rule))" }
        if !tags.isEmpty { session += "; tags=" + tags.map(Self.token).joined(separator: ",") }
        fields.append(session)
        return Array(fields.map { $0 + "\r\n" }.joined().utf8)
    }

    /// A value that cannot break the field's `key=value; …` syntax.
    static func token(_ s: String) -> String {
        String(s.unicodeScalars.map { c -> Character in
            c.value <= 0x20 || c.value >= 0x7F || c == ";" || c == "," || c == "=" ? "_" : Character(c)
        })
    }
}
