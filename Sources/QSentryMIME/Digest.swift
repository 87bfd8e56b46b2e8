import COpenSSL

/// SHA-256 through OpenSSL: DKIM's and ARC's body hashes (QSentryAuth), the exact hashes of
/// attachments and images (M12, MIMEParser with `MIMELimits.hashAttachments`).
public enum Digest {
    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var n: UInt32 = 0
        _ = EVP_Digest(data, data.count, &out, &n, EVP_sha256(), nil)
        return out
    }

    /// A running SHA-256 (the body hash, fed as the spool is read).
    public final class SHA256 {
        let ctx: OpaquePointer?
        public init() {
            ctx = EVP_MD_CTX_new()
            _ = EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        }
        deinit { EVP_MD_CTX_free(ctx) }
        public func update(_ bytes: [UInt8]) { _ = EVP_DigestUpdate(ctx, bytes, bytes.count) }
        public func finish() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 32)
            var n: UInt32 = 0
            _ = EVP_DigestFinal_ex(ctx, &out, &n)
            return out
        }
    }
}
