import COpenSSL

/// Secrets compared in the same time wherever they differ (OpenSSL's CRYPTO_memcmp): password
/// hashes, release-link MACs, session and CSRF tokens.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count, !a.isEmpty else { return false }
        return CRYPTO_memcmp(a, b, a.count) == 0
    }
}
