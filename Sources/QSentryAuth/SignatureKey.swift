import COpenSSL
import QSentryMessage
import QSentryDNS
import QSentryMIME

/// A public key from a `_domainkey` TXT record (RFC 6376 §3.6.1), for ARC's checks with OpenSSL
/// (DKIM's own go through libopendkim).
public struct SignatureKey {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing, revoked, syntax(String), temporary(String)
        public var description: String {
            switch self {
            case .missing: return "no key"
            case .revoked: return "key revoked"
            case .syntax(let s): return "bad key record: \(s)"
            case .temporary(let s): return "key lookup failed: \(s)"
            }
        }
    }

    let der: [UInt8]
    public let type: String

    /// The key for `selector`/`domain` from the batch of answers.
    public static func from(_ answers: [DNSQuery: DNSAnswer], selector: String, domain: String) -> Result<SignatureKey, Failure> {
        record(answers, selector: selector, domain: domain).flatMap(parse)
    }

    /// The key record for `selector`/`domain` from the batch of answers: the first that is DKIM's
    /// (RFC 6376 §3.6.2.2 leaves several undefined). DKIM's key callback and ARC both take it from here.
    public static func record(_ answers: [DNSQuery: DNSAnswer], selector: String, domain: String) -> Result<String, Failure> {
        switch answers[DNSQuery(AuthDNS.keyName(selector: selector, domain: domain), .txt)] ?? .temporary("not asked") {
        case .records(let r):
            guard let record = r.first(where: { $0.hasPrefix("v=DKIM1") }) ?? r.first else { return .failure(.missing) }
            return .success(record)
        case .nameError, .noData: return .failure(.missing)
        case .temporary(let why): return .failure(.temporary(why))
        }
    }

    public static func parse(_ record: String) -> Result<SignatureKey, Failure> {
        let tags = TagList(record)
        if let v = tags["v"], v != "DKIM1" { return .failure(.syntax("v=\(v)")) }
        guard let p = tags["p"] else { return .failure(.syntax("no p=")) }
        if p.isEmpty { return .failure(.revoked) }
        var decoder = Base64Decoder()
        let der = decoder.feed(Array(p.utf8)[...]) + decoder.finish()
        let type = tags["k"]?.lowercased() ?? "rsa"
        guard type == "rsa" || type == "ed25519" else { return .failure(.syntax("k=\(type)")) }
        return .success(SignatureKey(der: der, type: type))
    }

    /// Whether `signature` is this key's RSA-SHA256 signature of `data`.
    public func verifyRSASHA256(_ signature: [UInt8], of data: [UInt8]) -> Bool {
        guard type == "rsa", let key = publicKey() else { return false }
        defer { EVP_PKEY_free(key) }
        // Keys under 1024 bits are refused, as for DKIM (RFC 8301).
        guard EVP_PKEY_get_bits(key) >= 1024, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, EVP_sha256(), nil, key) == 1 else { return false }
        return EVP_DigestVerify(ctx, signature, signature.count, data, data.count) == 1
    }

    /// SubjectPublicKeyInfo (what DKIM publishes), or a bare PKCS#1 RSAPublicKey (what some publish).
    func publicKey() -> OpaquePointer? {
        der.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            if let k = d2i_PUBKEY(nil, &p, buf.count) { return k }
            p = buf.baseAddress
            return d2i_PublicKey(EVP_PKEY_RSA, nil, &p, buf.count)
        }
    }
}
