import QSentryCore

/// E15: where STARTTLS finds its certificate and key, and which TLS 1.2 ciphers it offers.
///
/// `control/qsentry/tls-cert` names a PEM file with the certificate chain; `tls-key` names the
/// PEM private key (absent: the key is in the certificate file, as in qmail's servercert.pem).
/// Start-up only checks that both files are readable PEM; OpenSSL loads them when a client
/// sends STARTTLS, because creating an OpenSSL 3 context costs more (about 2 ms) than the
/// whole start-up of qsentry-smtpd, and most sessions never ask for TLS.
public struct TLSSettings: Equatable, Sendable {
    /// The control files this reads, for `qsentry check`'s catalogue (QSentryAdmin's Catalog).
    public static let controlFiles: [ControlFileSpec] = [
        .init("tls-cert", .qsentry, .path, "path of the PEM certificate chain for STARTTLS; STARTTLS is offered when set (E15)"),
        .init("tls-key", .qsentry, .path, "path of the PEM private key; default: the key is in the tls-cert file (E15)"),
        .init("tls-ciphers", .qsentry, .text, "OpenSSL cipher list for TLS 1.2 (E15)"),
    ]
    public let certificatePath: String
    public let keyPath: String
    public let ciphers: String
    /// Limit for the whole handshake, seconds.
    public let handshakeSeconds: Int

    /// Forward-secret AEAD suites only (Mozilla's "intermediate" list). TLS 1.3 has its own, all good.
    public static let defaultCiphers = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL"
    /// Largest certificate or key file read (a chain is a few KB).
    static let maxPEMBytes = 1 << 20

    public init(certificatePath: String, keyPath: String, ciphers: String = TLSSettings.defaultCiphers,
                handshakeSeconds: Int = 60) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.ciphers = ciphers
        self.handshakeSeconds = handshakeSeconds
    }

    public enum Availability: Equatable, Sendable {
        /// No tls-cert: STARTTLS is not offered.
        case off
        /// Configured but not usable: not offered, and the reason is logged at start-up.
        case unusable(String)
        case ready(TLSSettings)
    }

    /// Reads the control files; a missing or broken PEM file is `.unusable`, never an error,
    /// so plain SMTP keeps working. `sessionTimeout` bounds the handshake too.
    public static func load(_ root: QmailRoot, sessionTimeout: Int) throws -> Availability {
        guard let cert = try ControlFile.value(root.qsentry("tls-cert"))?.text.trimmed, !cert.isEmpty else { return .off }
        let key = try ControlFile.value(root.qsentry("tls-key"))?.text.trimmed ?? cert
        let ciphers = try ControlFile.value(root.qsentry("tls-ciphers"))?.text.trimmed ?? defaultCiphers
        if let problem = pemProblem(cert, expecting: ["CERTIFICATE"]) { return .unusable(problem) }
        if let problem = pemProblem(key, expecting: ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]) {
            return .unusable(problem)
        }
        return .ready(TLSSettings(certificatePath: cert, keyPath: key.isEmpty ? cert : key,
                                  ciphers: ciphers.isEmpty ? defaultCiphers : ciphers,
                                  handshakeSeconds: min(sessionTimeout, 60)))
    }

    /// Why `path` is not a readable PEM file holding one of `labels`, or nil when it is.
    static func pemProblem(_ path: String, expecting labels: [String]) -> String? {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path, limit: maxPEMBytes) } catch { return "\(error)" }
        let text = String(decoding: bytes, as: UTF8.self)
        if labels.contains(where: { text.contains("-----BEGIN \($0)-----") }) { return nil }
        return "\(path): no PEM \(labels[0]) in it"
    }
}
