#if canImport(Glibc)
import Glibc
#endif
import COpenDKIM
import COpenSSL
import QSentryCore
import QSentryMessage
import QSentryDNS

/// One DKIM signature's result, as Authentication-Results reports it.
public struct DKIMSignatureResult: Equatable, Sendable {
    public var domain: String
    public var selector: String
    /// The signing algorithm (`rsa-sha256`, `ed25519-sha256`).
    public var algorithm: String
    public var result: AuthResult
    /// Why it is not a pass (libopendkim's words), or "".
    public var reason: String
    /// The first characters of b= (RFC 6008's header.b), to tell signatures of one domain apart.
    public var b: String

    public init(domain: String, selector: String, algorithm: String, result: AuthResult, reason: String = "", b: String = "") {
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm
        self.result = result
        self.reason = reason
        self.b = b
    }
}

/// M11: every DKIM-Signature of a message checked with libopendkim. Keys come from `keys`, the
/// answers qsentry's one resolver got for the names `keyQueries` lists (libopendkim's own DNS is
/// never used: it cannot be pointed at a port, and one parallel batch beats a query per signature).
/// At most `maxSignatures` are checked; keys under 1024 bits fail.
public struct DKIMVerifier {
    public static let maxSignatures = 5
    public static let minimumKeyBits: UInt32 = 1024

    public init() {}

    /// The key names to ask for: one TXT per signature (d= and s=), the first `maxSignatures`.
    public static func keyQueries(_ header: MessageHeader) -> [DNSQuery] {
        var out: [DNSQuery] = []
        for f in header.all("dkim-signature").prefix(maxSignatures) {
            if let q = AuthDNS.keyQuery(TagList(f.value)) { out.append(q) }
        }
        return out
    }

    /// Checks every signature of the message on `fd` (its header already parsed); [] when it has none.
    public func verify(_ header: MessageHeader, fd: Int32, keys: [DNSQuery: DNSAnswer]) -> [DKIMSignatureResult] {
        guard header.first("dkim-signature") != nil else { return [] }
        guard let lib = DKIMLibrary.shared.lib else {
            return [DKIMSignatureResult(domain: "", selector: "", algorithm: "", result: .temperror, reason: "libopendkim did not start")]
        }
        var status: DKIM_STAT = DKIM_STAT(DKIM_STAT_OK)
        guard let dkim = dkim_verify(lib, "qsentry-queue", nil, &status) else {
            return [DKIMSignatureResult(domain: "", selector: "", algorithm: "", result: .temperror, reason: "dkim_verify: \(status)")]
        }
        defer { dkim_free(dkim) }
        let box = KeyAnswers(keys)
        let context = Unmanaged.passRetained(box)
        defer { context.release() }
        _ = dkim_set_user_context(dkim, context.toOpaque())

        for f in header.fields {
            // A field libopendkim would misread is left out: a signature over it then fails.
            guard var raw = DKIMLibrary.field(f.raw) else { continue }
            status = raw.withUnsafeMutableBufferPointer { dkim_header(dkim, $0.baseAddress, $0.count) }
            if status != DKIM_STAT(DKIM_STAT_OK) { break }
        }
        status = dkim_eoh(dkim)
        if status == DKIM_STAT(DKIM_STAT_OK) {
            feedBody(dkim, fd: fd, from: header.bodyOffset)
            var testKey = false
            status = dkim_eom(dkim, &testKey)
        }
        let out = results(dkim, eomStatus: status, fd: fd, bodyOffset: header.bodyOffset)
        if !out.isEmpty { return out }
        // No signature handle to ask (a key lookup that failed stops libopendkim before it keeps
        // them): each signature field reported from its own tags.
        let temporary = status == DKIM_STAT(DKIM_STAT_CBTRYAGAIN) || status == DKIM_STAT(DKIM_STAT_KEYFAIL)
        return header.all("dkim-signature").prefix(Self.maxSignatures).map { f in
            let t = TagList(f.value)
            return DKIMSignatureResult(domain: t["d"] ?? "", selector: t["s"] ?? "", algorithm: t["a"] ?? "",
                                       result: temporary ? .temperror : .permerror,
                                       reason: temporary ? "key lookup failed" : text(dkim_getresultstr(status)), b: String((t["b"] ?? "").prefix(8)))
        }
    }

    /// The body to libopendkim; a spool that cannot be read leaves the signature to fail.
    private func feedBody(_ dkim: OpaquePointer, fd: Int32, from offset: Int) {
        try? FileBytes.eachPiece(of: fd, from: offset, path: "spool") { buffer, n in
            buffer.withUnsafeMutableBufferPointer { dkim_body(dkim, $0.baseAddress, n) } == DKIM_STAT(DKIM_STAT_OK)
        }
    }

    /// The body's length after `mode`'s canonicalisation (Int.max when the spool cannot be read:
    /// then no l= covers it).
    static func canonicalBodyLength(_ fd: Int32, from offset: Int, _ mode: Canonicalization) -> Int {
        var total = 0
        var body = Canonicalization.Body(mode) { total += $0.count }
        do {
            try FileBytes.eachPiece(of: fd, from: offset, path: "spool") { buffer, n in
                body.feed(buffer[0..<n])
                return true
            }
        } catch {
            return Int.max
        }
        body.finish()
        return total
    }

    private func results(_ dkim: OpaquePointer, eomStatus: DKIM_STAT, fd: Int32, bodyOffset: Int) -> [DKIMSignatureResult] {
        var sigs: UnsafeMutablePointer<OpaquePointer?>? = nil
        var n: Int32 = 0
        guard dkim_getsiglist(dkim, &sigs, &n) == DKIM_STAT(DKIM_STAT_OK), let sigs else { return [] }
        var out: [DKIMSignatureResult] = []
        for i in 0..<Int(n) {
            guard let sig = sigs[i] else { continue }
            let flags = dkim_sig_getflags(sig)
            if flags & UInt32(DKIM_SIGFLAG_IGNORE) != 0 { continue }
            var r = DKIMSignatureResult(domain: text(dkim_sig_getdomain(sig)), selector: text(dkim_sig_getselector(sig)),
                                        algorithm: text(dkim_sig_gettagvalue(sig, false, tag("a"))), result: .none,
                                        b: String(text(dkim_sig_gettagvalue(sig, false, tag("b"))).prefix(8)))
            let error = dkim_sig_geterror(sig)
            if flags & UInt32(DKIM_SIGFLAG_PASSED) != 0 && dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH {
                r.result = .pass
                // l= covering less than the whole body: what follows could be anything (RFC 6376 §8.2).
                // The whole body's canonical length is counted here: libopendkim stops at l=.
                var header: dkim_canon_t = 0, body: dkim_canon_t = 0
                if let l = dkim_sig_gettagvalue(sig, false, tag("l")).flatMap({ Int(text($0)) }),
                   dkim_sig_getcanons(sig, &header, &body) == DKIM_STAT(DKIM_STAT_OK) {
                    let whole = Self.canonicalBodyLength(fd, from: bodyOffset, body == DKIM_CANON_RELAXED ? .relaxed : .simple)
                    if l < whole {
                        r.result = .policy
                        r.reason = "l= signs \(l) of \(whole) body bytes"
                    }
                }
            } else if flags & UInt32(DKIM_SIGFLAG_PROCESSED) == 0 {
                r.result = eomStatus == DKIM_STAT(DKIM_STAT_CBTRYAGAIN) || error == DKIM_SIGERROR_KEYFAIL ? .temperror : .permerror
                r.reason = error == DKIM_SIGERROR_OK || error == DKIM_SIGERROR_UNKNOWN ? "not checked" : text(dkim_sig_geterrorstr(DKIM_SIGERROR(error)))
            } else {
                switch error {
                case DKIM_SIGERROR_KEYFAIL: r.result = .temperror
                case DKIM_SIGERROR_BADSIG, DKIM_SIGERROR_OK: r.result = .fail
                default: r.result = .permerror
                }
                r.reason = dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH ? "body hash did not verify"
                    : error == DKIM_SIGERROR_OK ? "signature did not verify" : text(dkim_sig_geterrorstr(DKIM_SIGERROR(error)))
                if dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH { r.result = .fail }
            }
            out.append(r)
        }
        return out
    }
}

/// The key answers one verification may use, handed to libopendkim's key callback as its user context.
final class KeyAnswers {
    let answers: [DNSQuery: DNSAnswer]
    init(_ answers: [DNSQuery: DNSAnswer]) { self.answers = answers }
}

/// libopendkim's library handle, made once per process: LF-ended input accepted (qmail's queue),
/// signatures with bad syntax kept (reported as permerror), keys from `KeyAnswers`.
final class DKIMLibrary: @unchecked Sendable {
    static let shared = DKIMLibrary()
    let lib: OpaquePointer?

    private init() {
        // dkim_init asks OpenSSL to register every legacy cipher and digest name, which OpenSSL 3
        // then copies into its name map at the first key decode: some 2 M instructions a process
        // (bench/auth.sh). libopendkim names no algorithm by string (EVP_sha256() and the key's
        // own type), so that registration is declined first; OpenSSL runs each step once.
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS), nil)
        guard let lib = dkim_init(nil, nil) else { self.lib = nil; return }
        var flags = UInt32(DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES)
        _ = dkim_options(lib, Int32(DKIM_OP_SETOPT), DKIM_OPTS_FLAGS, &flags, MemoryLayout<UInt32>.size)
        var bits = DKIMVerifier.minimumKeyBits
        _ = dkim_options(lib, Int32(DKIM_OP_SETOPT), DKIM_OPTS_MINKEYBITS, &bits, MemoryLayout<UInt32>.size)
        _ = dkim_set_key_lookup(lib) { dkim, sig, buf, buflen in
            guard let dkim, let sig, let buf, let ctx = dkim_get_user_context(dkim) else { return DKIM_CBSTAT(DKIM_CBSTAT_ERROR) }
            let keys = Unmanaged<KeyAnswers>.fromOpaque(ctx).takeUnretainedValue()
            switch SignatureKey.record(keys.answers, selector: text(dkim_sig_getselector(sig)).lowercased(),
                                       domain: text(dkim_sig_getdomain(sig)).lowercased()) {
            case .success(let key):
                let bytes = Array(key.utf8)
                guard bytes.count < buflen else { return DKIM_CBSTAT(DKIM_CBSTAT_ERROR) }
                for (i, b) in bytes.enumerated() { buf[i] = b }
                buf[bytes.count] = 0
                return DKIM_CBSTAT(DKIM_CBSTAT_CONTINUE)
            case .failure(.temporary): return DKIM_CBSTAT(DKIM_CBSTAT_TRYAGAIN)
            case .failure: return DKIM_CBSTAT(DKIM_CBSTAT_NOTFOUND)
            }
        }
        // More signatures than qsentry checks: the rest are ignored, not verified (a cost limit).
        _ = dkim_set_prescreen(lib) { _, sigs, n in
            if let sigs, n > Int32(DKIMVerifier.maxSignatures) {
                for i in DKIMVerifier.maxSignatures..<Int(n) { if let s = sigs[i] { dkim_sig_ignore(s) } }
            }
            return DKIM_CBSTAT(DKIM_CBSTAT_CONTINUE)
        }
        self.lib = lib
    }

    /// A header field as dkim_header is given it: lines CR LF-ended as on the wire, or nil when
    /// the field holds a NUL or a CR that ends no line. For those, FIXCRLF copies the field only
    /// up to the NUL, or adds an LF, yet keeps the length it was passed, and hashes that many
    /// bytes: past the end of its copy (the heap over-read the auth fuzz target found,
    /// Tests/Fuzz/crashes/auth/) or short of it. Neither byte belongs in a header (RFC 5322 2.2).
    static func field(_ raw: [UInt8]) -> [UInt8]? {
        let out = Canonicalization.simple.header(raw)
        var previous: UInt8 = 0
        for b in out {
            if b == 0 || (previous == 0x0D && b != 0x0A) { return nil }
            previous = b
        }
        return previous == 0x0D ? nil : out
    }
}

func text(_ p: UnsafeMutablePointer<UInt8>?) -> String { p.map { String(cString: $0) } ?? "" }
func text(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
/// A tag name as libopendkim's u_char * parameters take it (static storage: the literals live forever).
func tag(_ name: StaticString) -> UnsafeMutablePointer<UInt8> { UnsafeMutablePointer(mutating: name.utf8Start) }
