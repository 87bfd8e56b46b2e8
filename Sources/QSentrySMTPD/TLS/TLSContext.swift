import COpenSSL

/// An OpenSSL server context made from TLSSettings: certificate chain and key loaded and
/// matched, TLS 1.2 as the floor, the configured TLS 1.2 ciphers, nothing weak.
public final class TLSContext {
    let context: OpaquePointer

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ settings: TLSSettings) throws(Failure) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw Failure(description: "SSL_CTX_new: \(Self.lastError())") }
        context = ctx
        qsentry_ssl_ctx_harden(ctx)
        guard qsentry_ssl_ctx_require_tls12(ctx) == 1 else { throw Failure(description: "cannot require TLS 1.2: \(Self.lastError())") }
        guard SSL_CTX_set_cipher_list(ctx, settings.ciphers) == 1 else {
            throw Failure(description: "tls-ciphers \"\(settings.ciphers)\": \(Self.lastError())")
        }
        guard SSL_CTX_use_certificate_chain_file(ctx, settings.certificatePath) == 1 else {
            throw Failure(description: "\(settings.certificatePath): \(Self.lastError())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, settings.keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw Failure(description: "\(settings.keyPath): \(Self.lastError())")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw Failure(description: "\(settings.keyPath) does not match \(settings.certificatePath): \(Self.lastError())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Seconds until the certificate's notAfter (negative once expired), for `qsentry check`.
    public var secondsUntilExpiry: Int? {
        guard let cert = SSL_CTX_get0_certificate(context), let notAfter = X509_get0_notAfter(cert) else { return nil }
        var days: Int32 = 0, seconds: Int32 = 0
        guard ASN1_TIME_diff(&days, &seconds, nil, notAfter) == 1 else { return nil }
        return Int(days) * 86400 + Int(seconds)
    }

    /// OpenSSL's most recent error as text (its queue is emptied).
    static func lastError() -> String {
        var last: UInt = 0
        while case let e = ERR_get_error(), e != 0 { last = e }
        if last == 0 { return "unknown error" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(last, &text, text.count)
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
