import Foundation

/// A self-signed certificate and key made by the real `openssl` tool for one test's server.
public struct TLSCertificate {
    public let certificatePath: String
    public let keyPath: String

    /// Writes `NAME.crt` and `NAME.key` under the root's `tls/` (EC P-256: quick to make).
    public init(root: TempQmailRoot, name: String = "server", commonName: String = "mx.example.com", days: Int = 2) throws {
        let dir = root.path + "/tls"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        certificatePath = dir + "/\(name).crt"
        keyPath = dir + "/\(name).key"
        let r = try Run.command("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                            "-nodes", "-days", String(days), "-subj", "/CN=\(commonName)",
                                            "-keyout", keyPath, "-out", certificatePath])
        guard r.status == 0 else { throw HarnessError.startFailed("openssl req: \(r.output)") }
    }
}
