import QSentryMessage

/// `Authentication-Results:` (RFC 8601) as qsentry-queue writes it, and the authserv-id of one
/// already in a message (a client's copy with our id is removed before ours is added).
public struct AuthenticationResults: Equatable, Sendable {
    public var authservID: String
    public var spf: (result: String, mailFrom: String)?
    public var dkim: [DKIMSignatureResult] = []
    public var dmarc: DMARCOutcome?
    public var arc: ARCOutcome?
    /// Why DMARC's fail was not acted on (`arc-trusted forwarder example.net`), a comment.
    public var dmarcOverride: String?
    /// What the DMARC rule did with a fail (`refuse`, `quarantine`, `tag`, `none`): qsentry-local
    /// weighs a `tag`.
    public var dmarcAction: String?

    public init(authservID: String) { self.authservID = authservID }

    public static func == (a: AuthenticationResults, b: AuthenticationResults) -> Bool { a.field == b.field }

    /// The field, folded one method a line, LF-ended (it goes into qmail's queue).
    public var field: String {
        var methods: [String] = []
        if let spf {
            methods.append("spf=\(spf.result)" + (spf.mailFrom.isEmpty ? "" : " smtp.mailfrom=\(Self.value(spf.mailFrom))"))
        }
        if dkim.isEmpty {
            methods.append("dkim=none")
        }
        for d in dkim {
            var m = "dkim=\(d.result.rawValue)"
            if !d.reason.isEmpty { m += " (\(Self.comment(d.reason)))" }
            m += " header.d=\(Self.value(d.domain)) header.s=\(Self.value(d.selector))"
            if !d.b.isEmpty { m += " header.b=\(Self.value(d.b))" }
            methods.append(m)
        }
        if let dmarc {
            var m = "dmarc=\(dmarc.result.rawValue)"
            var notes: [String] = []
            if let p = dmarc.published { notes.append("p=\(p.rawValue)") }
            if let p = dmarc.policy, p != dmarc.published { notes.append("applied=\(p.rawValue)") }
            if let o = dmarcOverride { notes.append(o) }
            if let a = dmarcAction { notes.append("action=\(a)") }
            if !notes.isEmpty { m += " (\(Self.comment(notes.joined(with: "; "))))" }
            if let p = dmarc.published { m += " policy.dmarc=\(p.rawValue)" }
            m += " header.from=\(Self.value(dmarc.fromDomain))"
            methods.append(m)
        }
        if let arc {
            var m = "arc=\(arc.result.rawValue)"
            var notes: [String] = []
            if let s = arc.sealer, arc.instances > 0 { notes.append("i=\(arc.instances) sealed by \(s)") }
            if !arc.reason.isEmpty { notes.append(arc.reason) }
            if !notes.isEmpty { m += " (\(Self.comment(notes.joined(with: "; "))))" }
            methods.append(m)
        }
        return "Authentication-Results: \(Self.value(authservID));\n\t" + methods.joined(with: ";\n\t") + "\n"
    }

    /// For the log line: `dkim=pass,dmarc=fail,arc=none`.
    public var summary: String {
        var parts: [String] = []
        if let spf { parts.append("spf=\(spf.result)") }
        parts.append("dkim=" + (dkim.isEmpty ? "none" : dkim.map(\.result.rawValue).joined(with: "+")))
        if let dmarc { parts.append("dmarc=\(dmarc.result.rawValue)") }
        if let arc { parts.append("arc=\(arc.result.rawValue)") }
        return parts.joined(with: ",")
    }

    /// A value that stays one token of the field (RFC 8601 `value`: a token, else a quoted string).
    static func value(_ s: String) -> String {
        // Printable, no space, none of the specials that end a token (`/` and `=` may stay: base64 in header.b).
        let token = !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            c.value > 0x20 && c.value < 0x7F && !"()<>,;:\\\"[]?".unicodeScalars.contains(c)
        }
        if token { return s }
        var out = "\""
        for c in s.unicodeScalars where c.value >= 0x20 && c.value < 0x7F {
            if c == "\"" || c == "\\" { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out + "\""
    }

    /// A comment's text: printable, no parentheses or backslashes (so it cannot end the comment).
    static func comment(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(200).map { c in
            c.value < 0x20 || c.value >= 0x7F || c == "(" || c == ")" || c == "\\" ? "_" : c
        }))
    }
}
