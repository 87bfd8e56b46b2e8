#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import QSentryCore

/// M11's signing keys: `control/qsentry/dkim/DOMAIN/selector` names the selector in use, and
/// `control/qsentry/dkim/DOMAIN/SELECTOR.private` holds its PEM key (root:qsentry 0640 in a
/// root:qsentry 2750 directory: the SMTP chain runs with group qsentry and may only read it).
/// A new key under a new selector leaves the old one where it was, for rotation.
public enum KeyFile {
    public static let fileMode: mode_t = 0o640
    public static let directoryMode: mode_t = 0o2750

    public static func directory(_ root: QmailRoot, domain: String) -> String { root.qsentry("dkim") + "/" + domain }

    /// The signer for mail from `fromDomain`: its own key, else a parent domain's (mail from
    /// `lists.example.com` signed as `example.com`, which DMARC's relaxed alignment accepts).
    /// nil when no key is configured; a key that is configured but cannot be read throws.
    public static func signer(_ root: QmailRoot, fromDomain: String) throws -> DKIMSigner? {
        var labels = fromDomain.lowercased().split(separator: ".").map(String.init)
        while labels.count >= 2 {
            let domain = labels.joined(with: ".")
            labels.removeFirst()
            guard isQueryableDomain(domain) else { return nil }
            let dir = directory(root, domain: domain)
            guard let line = try ControlFile.value(dir + "/selector") else { continue }
            let selector = line.text.trimmed.lowercased()
            guard isQueryableDomain(selector), !selector.contains("/") else {
                throw ControlError(path: dir + "/selector", line: line.number, "not a selector: \(selector)")
            }
            let key = try FileBytes.read(dir + "/" + selector + ".private", limit: 64 * 1024)
            return DKIMSigner(domain: domain, selector: selector, key: key)
        }
        return nil
    }

    /// Makes a key for `domain` under `selector` (RSA 2048, or Ed25519) and makes it the one in use;
    /// returns the TXT record to publish at `SELECTOR._domainkey.DOMAIN`.
    public static func generate(_ root: QmailRoot, domain: String, selector: String, ed25519: Bool = false) throws -> (path: String, record: String) {
        let domain = domain.lowercased(), selector = selector.lowercased()
        guard isQueryableDomain(domain), domain.contains(".") else { throw KeyError("not a domain name: \(domain)") }
        guard isQueryableDomain(selector) else {
            throw KeyError("not a selector: \(selector)")
        }
        guard let pkey = makeKey(ed25519: ed25519) else { throw KeyError("OpenSSL could not make a key") }
        defer { EVP_PKEY_free(pkey) }
        let pem = try privatePEM(pkey)
        let pub = try publicDER(pkey)
        let group = getgrnam(SecretFile.groupName).map { $0.pointee.gr_gid }
        let base = root.qsentry("dkim")
        for dir in [base, directory(root, domain: domain)] {
            if mkdir(dir, directoryMode) != 0 && errno != EEXIST { throw SystemError("mkdir", path: dir, errno: errno) }
            if let group { _ = chown(dir, 0, group) }
            _ = chmod(dir, directoryMode)
        }
        let path = directory(root, domain: domain) + "/" + selector + ".private"
        guard access(path, F_OK) != 0 else { throw KeyError("\(path) exists already; choose another selector") }
        try FileBytes.writeAtomically(path, pem, mode: fileMode)
        if let group { _ = chown(path, 0, group) }
        let selectorFile = directory(root, domain: domain) + "/selector"
        try FileBytes.writeAtomically(selectorFile, Array((selector + "\n").utf8), mode: 0o644)
        let record = "v=DKIM1; k=\(ed25519 ? "ed25519" : "rsa"); p=\(base64(pub))"
        return (path, record)
    }

    /// `qsentry check`'s look at the keys under `base` (control/qsentry/dkim): each domain's
    /// selector names a key that exists, parses, and is exposed to nobody (SecretFile).
    @Sendable public static func problems(_ base: String) -> [ControlError] {
        guard let domains = try? Directory.names(base) else { return [] }
        var out: [ControlError] = []
        var st = stat()
        if stat(base, &st) == 0, st.st_mode & 0o002 != 0 { out.append(ControlError(path: base, "writable by everyone: chmod 2750")) }
        for domain in domains.sorted() where !domain.hasPrefix(".") {
            let dir = base + "/" + domain
            guard isQueryableDomain(domain), domain == domain.lowercased() else {
                out.append(ControlError(path: dir, "not a domain name (lower case, as in d=)"))
                continue
            }
            let selectorPath = dir + "/selector"
            guard let line = try? ControlFile.value(selectorPath) else {
                out.append(ControlError(path: selectorPath, "missing: write the selector in use, or run qsentry dkim keygen \(domain)"))
                continue
            }
            let selector = line.text.trimmed.lowercased()
            let keyPath = dir + "/" + selector + ".private"
            guard isQueryableDomain(selector), let key = try? FileBytes.read(keyPath, limit: 64 * 1024) else {
                out.append(ControlError(path: selectorPath, line: line.number, "\(keyPath) cannot be read"))
                continue
            }
            if let exposed = SecretFile.exposure(keyPath, holds: "the signing key of \(domain)") { out.append(exposed) }
            if !isPrivateKeyPEM(key) { out.append(ControlError(path: keyPath, "not a PEM private key OpenSSL can read")) }
        }
        return out
    }

    static func isPrivateKeyPEM(_ pem: [UInt8]) -> Bool { privateKeyType(pem) != nil }

    /// OpenSSL's type of a PEM private key (EVP_PKEY_RSA, EVP_PKEY_ED25519), nil when it does not parse.
    static func privateKeyType(_ pem: [UInt8]) -> Int32? {
        guard let bio = pem.withUnsafeBufferPointer({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else { return nil }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else { return nil }
        defer { EVP_PKEY_free(key) }
        return EVP_PKEY_get_base_id(key)
    }

    public struct KeyError: Error, CustomStringConvertible {
        public let description: String
        init(_ s: String) { description = s }
    }

    static func makeKey(ed25519: Bool) -> OpaquePointer? {
        guard let ctx = EVP_PKEY_CTX_new_id(ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_RSA, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else { return nil }
        if !ed25519 { guard EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) == 1 else { return nil } }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen(ctx, &key) == 1 else { return nil }
        return key
    }

    static func privatePEM(_ key: OpaquePointer) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw KeyError("no memory") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { throw KeyError("PEM_write_bio_PrivateKey failed") }
        var out = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let n = BIO_read(bio, &out, Int32(out.count))
        return Array(out.prefix(Int(max(0, n))))
    }

    /// DKIM's p=: SubjectPublicKeyInfo DER for RSA, the raw 32 bytes for Ed25519 (RFC 8463).
    static func publicDER(_ key: OpaquePointer) throws -> [UInt8] {
        if EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 {
            var raw = [UInt8](repeating: 0, count: 32)
            var n = 32
            guard EVP_PKEY_get_raw_public_key(key, &raw, &n) == 1 else { throw KeyError("no Ed25519 public key") }
            return raw
        }
        let n = i2d_PUBKEY(key, nil)
        guard n > 0 else { throw KeyError("i2d_PUBKEY failed") }
        var out = [UInt8](repeating: 0, count: Int(n))
        try out.withUnsafeMutableBufferPointer { buf in
            var p: UnsafeMutablePointer<UInt8>? = buf.baseAddress
            guard i2d_PUBKEY(key, &p) == n else { throw KeyError("i2d_PUBKEY failed") }
        }
        return out
    }

    static func base64(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let n = EVP_EncodeBlock(&out, bytes, Int32(bytes.count))
        return String(decoding: out.prefix(Int(n)), as: UTF8.self)
    }

    /// Whether a PEM private key is an Ed25519 one.
    public static func isEd25519PEM(_ pem: [UInt8]) -> Bool { privateKeyType(pem) == EVP_PKEY_ED25519 }
}
