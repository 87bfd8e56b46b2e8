/// An `Authentication-Results:` value read back (RFC 8601): its authserv-id and each method's
/// result. qsentry-queue removes a client's field that claims the host's authserv-id, and
/// qsentry-local weighs the one qsentry-queue wrote.
public struct AuthenticationResultsField: Equatable, Sendable {
    public struct Method: Equatable, Sendable {
        /// `dkim`, `spf`, `dmarc`, `arc`.
        public var name: String
        /// `pass`, `fail` …
        public var result: String
        /// The comment after the result, without its parentheses.
        public var comment: String
        /// `header.d=example.com` and the like, names lower-cased.
        public var properties: [String: String]
    }

    public var authservID: String
    public var methods: [Method]

    public init(value: String) {
        authservID = Self.authservID(ofValue: value)
        methods = []
        for part in Self.statements(value).dropFirst() {
            var text = Substring(part)
            var comment = ""
            if let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") {
                comment = String(text[text.index(after: open)..<close])
                text = text[..<open] + text[text.index(after: close)...]
            }
            let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            guard let first = words.first, let eq = first.firstIndex(of: "=") else { continue }
            var m = Method(name: first[..<eq].lowercased(), result: first[first.index(after: eq)...].lowercased(), comment: comment, properties: [:])
            for w in words.dropFirst() {
                guard let e = w.firstIndex(of: "=") else { continue }
                var v = String(w[w.index(after: e)...])
                if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
                m.properties[w[..<e].lowercased()] = v
            }
            methods.append(m)
        }
    }

    /// The value cut at each `;` outside comments and quoted strings.
    public static func statements(_ value: String) -> [Substring] {
        var out: [Substring] = []
        var depth = 0, quoted = false
        var start = value.startIndex
        var i = value.startIndex
        while i < value.endIndex {
            switch value[i] {
            case "\"" where depth == 0: quoted.toggle()
            case "(" where !quoted: depth += 1
            case ")" where !quoted && depth > 0: depth -= 1
            case ";" where depth == 0 && !quoted:
                out.append(value[start..<i])
                start = value.index(after: i)
            default: break
            }
            i = value.index(after: i)
        }
        out.append(value[start...])
        return out
    }

    public func all(_ name: String) -> [Method] { methods.filter { $0.name == name } }

    /// The authserv-id of a value (`mx.example.org 1; …` → `mx.example.org`), lower-cased.
    public static func authservID(ofValue value: String) -> String {
        var v = Substring(value)
        // Leading comments and white space (RFC 8601 allows CFWS).
        while v.first == " " || v.first == "\t" || v.first == "(" {
            if v.first == "(", let close = v.firstIndex(of: ")") { v = v[v.index(after: close)...] } else { v = v.dropFirst() }
        }
        let end = v.firstIndex { $0 == ";" || $0 == " " || $0 == "\t" || $0 == "(" } ?? v.endIndex
        return String(v[v.startIndex..<end]).lowercased()
    }

    /// qsentry-queue's field: the first Authentication-Results with `authservID` above every
    /// Received: field (qsentry-queue puts it above qmail-smtpd's Received line; a client's
    /// copy, removed by qsentry-queue anyway, can only be below it).
    public static func ours(in header: MessageHeader, authservID: String) -> AuthenticationResultsField? {
        let id = authservID.lowercased()
        for f in header.fields {
            if f.name == "received" { return nil }
            if f.name == "authentication-results" {
                let field = AuthenticationResultsField(value: f.value)
                if field.authservID == id { return field }
            }
        }
        return nil
    }
}
