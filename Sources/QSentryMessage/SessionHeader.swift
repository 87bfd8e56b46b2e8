import QSentryCore

/// `X-QSentry-Session:`, the one place the session's facts travel from qsentry-smtpd to the layers
/// after DATA: written here for qsentry-smtpd (`field`), read here for qsentry-queue and the CLI
/// (`SessionFacts.read`). `ip=…; auth=…; tls=…; spf=…; conn=VERDICT:RULE; tags=A,B`.
///
/// A client cannot forge it: qsentry-smtpd's DataStream drops every X-QSentry-* field the client
/// sends, and qsentry-queue believes the field only when QSENTRY_SMTPD=1 is in its environment.
/// It stays in the delivered message (README: what a receiving user sees).
public struct SessionHeader: Equatable, Sendable {
    public var ip: String
    public var authUser: String?
    /// The TLS version (`TLSv1.3`) when the client used STARTTLS.
    public var tls: String?
    public var spf: String?
    /// qsentry-conn's verdict handed over (C11): `refuse:dnsbl`.
    public var conn: String?
    /// The envelope rules that tagged the message.
    public var tags: [String] = []

    public init(ip: String, authUser: String? = nil, tls: String? = nil, spf: String? = nil, conn: String? = nil, tags: [String] = []) {
        self.ip = ip
        self.authUser = authUser
        self.tls = tls
        self.spf = spf
        self.conn = conn
        self.tags = tags
    }

    /// The header line, CR LF ended (it goes into the SMTP DATA stream).
    public var field: String {
        var out = "X-QSentry-Session: ip=\(Self.token(ip))"
        if let authUser { out += "; auth=\(Self.token(authUser))" }
        if let tls { out += "; tls=\(Self.token(tls))" }
        if let spf { out += "; spf=\(Self.token(spf))" }
        if let conn { out += "; conn=\(conn.split(separator: ":", maxSplits: 1).map { Self.token(String($0)) }.joined(with: ":"))" }
        for (i, tag) in tags.enumerated() { out += (i == 0 ? "; tags=" : ",") + Self.token(tag) }
        return out + "\r\n"
    }

    /// A value that cannot break the field's `key=value; …` syntax.
    /// (Plain loops over concrete types: generic collection code costs run-time metadata work in
    /// a process that lives for one connection.)
    public static func token(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            out.append(c.value <= 0x20 || c.value >= 0x7F || c == ";" || c == "," || c == "=" ? "_" : c)
        }
        return String(out)
    }
}

/// What the layers after DATA know about the SMTP session behind the message: the field read
/// back, or (no qsentry-smtpd in front) what tcpserver's variables say.
public struct SessionFacts: Equatable, Sendable {
    public var ip: String = ""
    public var authUser: String?
    /// RELAYCLIENT set or AUTH: mail from the site's own users.
    public var trusted = false
    public var tls: String?
    /// qsentry-smtpd's SPF result for MAIL FROM (`pass`, `fail` …), when it checked SPF.
    public var spf: String?
    /// The rules that tagged the message before DATA (qsentry-conn's and the envelope's `tag`s).
    public var tags: [String] = []

    public init(ip: String = "", authUser: String? = nil, trusted: Bool = false, tls: String? = nil) {
        self.ip = ip
        self.authUser = authUser
        self.trusted = trusted
        self.tls = tls
    }

    /// The value of `X-QSentry-Session:` as SessionHeader writes it.
    public mutating func read(sessionField value: String) {
        for item in value.split(separator: ";") {
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "ip": ip = kv[1]
            case "auth": authUser = kv[1]; trusted = true
            case "tls": tls = kv[1]
            case "spf": spf = kv[1]
            case "tags": tags = kv[1].split(separator: ",").map(String.init)
            default: break
            }
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
