import QSentryCore
import QSentrySPF

/// What qsentry-queue must know about the session travels at the top of the message:
/// `Received-SPF:` (RFC 7208 9.1) and `X-QSentry-Session:` with the client address, the
/// authenticated user, the TLS version, the SPF result, conn's verdict and the rules that tagged the message.
/// A client cannot forge it: DataStream drops every X-QSentry-* field the client sends, and
/// qsentry-queue believes the field only when QSENTRY_SMTPD=1 is in its environment.
extension SMTPSession {
    func sessionHeader() -> [UInt8] {
        var header = ""
        if let spf { header += spf.header + "\r\n" }
        var session = "X-QSentry-Session: ip=\(Self.token(state.ipText))"
        if let user = state.authUser { session += "; auth=\(Self.token(user))" }
        if let t = tlsTransport { session += "; tls=\(Self.token(t.protocolVersion))" }
        if let spf { session += "; spf=\(spf.result.rawValue)" }
        if let conn = state.connVerdict { session += "; conn=\(conn.action.rawValue):\(Self.token(conn.rule))" }
        for (i, tag) in tags.enumerated() { session += (i == 0 ? "; tags=" : ",") + Self.token(tag) }
        header += session + "\r\n"
        return Array(header.utf8)
    }

    /// A value that cannot break the field's `key=value; …` syntax.
    /// (Plain loops over concrete types here and above: generic collection code costs run-time
    /// metadata work in a process that lives for one connection.)
    static func token(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            out.append(c.value <= 0x20 || c.value >= 0x7F || c == ";" || c == "," || c == "=" ? "_" : c)
        }
        return String(out)
    }
}
