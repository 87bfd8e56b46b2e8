#if canImport(Glibc)
import Glibc
#endif
import COpenDKIM
import QSentryCore
import QSentryMessage

/// M11: a DKIM-Signature for mail the site's own users send, made by libopendkim: relaxed/relaxed,
/// rsa-sha256 (or ed25519-sha256 for an Ed25519 key), libopendkim's recommended header set with
/// From: signed twice (so a From: added later breaks the signature).
public struct DKIMSigner {
    public let domain: String
    public let selector: String
    /// The private key, PEM.
    let key: [UInt8]

    public init(domain: String, selector: String, key: [UInt8]) {
        self.domain = domain
        self.selector = selector
        self.key = key
    }

    public enum Failure: Error, CustomStringConvertible {
        case library(String)
        public var description: String {
            switch self { case .library(let s): return s }
        }
    }

    /// The field to put on top of the message on `fd`, LF-ended.
    public func sign(_ header: MessageHeader, fd: Int32) throws(Failure) -> String {
        guard let lib = DKIMLibrary.shared.lib else { throw .library("libopendkim did not start") }
        var status = DKIM_STAT(DKIM_STAT_OK)
        var pem = key + [0]
        var sel = cBytes(selector)
        var dom = cBytes(domain)
        let algorithm = KeyFile.isEd25519PEM(key) ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256
        guard let dkim = dkim_sign(lib, "qsentry-queue", nil, &pem, &sel, &dom, dkim_canon_t(DKIM_CANON_RELAXED), dkim_canon_t(DKIM_CANON_RELAXED),
                                   dkim_alg_t(algorithm), -1, &status) else {
            throw .library("dkim_sign: \(text(dkim_getresultstr(status)))")
        }
        defer { dkim_free(dkim) }
        for f in header.fields {
            guard var raw = DKIMLibrary.field(f.raw) else { throw .library("header field \(f.name) holds a NUL or a bare CR") }
            status = raw.withUnsafeMutableBufferPointer { dkim_header(dkim, $0.baseAddress, $0.count) }
            guard status == DKIM_STAT(DKIM_STAT_OK) else { throw .library("dkim_header: \(text(dkim_geterror(dkim)))") }
        }
        guard dkim_eoh(dkim) == DKIM_STAT(DKIM_STAT_OK) else { throw .library("dkim_eoh: \(text(dkim_geterror(dkim)))") }
        do {
            try FileBytes.eachPiece(of: fd, from: header.bodyOffset, path: "spool") { buffer, n in
                status = buffer.withUnsafeMutableBufferPointer { dkim_body(dkim, $0.baseAddress, n) }
                return status == DKIM_STAT(DKIM_STAT_OK)
            }
        } catch {
            throw .library("\(error)")
        }
        guard status == DKIM_STAT(DKIM_STAT_OK) else { throw .library("dkim_body: \(text(dkim_geterror(dkim)))") }
        status = dkim_eom(dkim, nil)
        guard status == DKIM_STAT(DKIM_STAT_OK) else { throw .library("dkim_eom: \(text(dkim_geterror(dkim)))") }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var len = 0
        let prefix = "DKIM-Signature: "
        guard dkim_getsighdr_d(dkim, prefix.utf8.count, &out, &len) == DKIM_STAT(DKIM_STAT_OK), let out else {
            throw .library("dkim_getsighdr: \(text(dkim_geterror(dkim)))")
        }
        let value = String(decoding: UnsafeBufferPointer(start: out, count: len), as: UTF8.self)
        // libopendkim folds with CR LF; qmail's queue holds LF-ended lines.
        var field = prefix
        for c in value.unicodeScalars where c != "\r" { field.unicodeScalars.append(c) }
        return field + "\n"
    }
}
