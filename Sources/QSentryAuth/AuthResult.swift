import QSentryDNS
import QSentryMessage

/// One method's result as RFC 8601 names it (`dkim=pass`, `dmarc=fail`, `arc=none`).
public enum AuthResult: String, Sendable, Equatable {
    case pass, fail, neutral, none, policy, temperror, permerror, softfail
}

/// The DNS names a message's authentication needs, asked in one parallel batch before any
/// library runs (libopendkim then reads its keys from `KeyAnswers`, never from the network).
public enum AuthDNS {
    public static func keyName(selector: String, domain: String) -> String { "\(selector)._domainkey.\(domain)" }
    public static func dmarcName(_ domain: String) -> String { "_dmarc.\(domain)" }

    /// The key a signature's tags (DKIM-Signature, ARC-Seal, ARC-Message-Signature) point to,
    /// nil when d= or s= is missing or not a name to ask about.
    static func keyQuery(_ tags: TagList) -> DNSQuery? {
        guard let d = tags["d"]?.lowercased(), let s = tags["s"]?.lowercased(), isQueryableDomain(d), isQueryableDomain(s) else { return nil }
        return DNSQuery(keyName(selector: s, domain: d), .txt)
    }
}

/// Domain syntax good enough to be asked about: letters, digits, hyphens, dots, underscores (in
/// selectors), 1–253 bytes. Anything else in a d=, s= or From: is never put in a DNS query.
public func isQueryableDomain(_ s: String) -> Bool {
    guard !s.isEmpty, s.utf8.count <= 253, !s.hasPrefix("."), !s.contains("..") else { return false }
    return s.utf8.allSatisfy { c in
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E || c == 0x5F
    }
}
