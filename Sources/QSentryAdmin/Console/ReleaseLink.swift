#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import QSentryCore
import QSentryMessage

/// A8: the one-click release links of the quarantine digest. A link names one quarantined
/// message, one of its recipients and an expiry time, and carries an HMAC-SHA256 of the three
/// under `control/qsentry/web-key`, so the console can honour it without a login and nobody
/// can make one for another message or another recipient.
public struct ReleaseLink: Equatable, Sendable {
    public static let keyFile = "web-key"
    public let id: String
    public let recipient: String
    public let expires: Int

    public init(id: String, recipient: String, expires: Int) {
        self.id = id
        self.recipient = recipient
        self.expires = expires
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The key: at least 32 bytes of text (install.sh writes 64 hex digits).
    public static func key(_ root: QmailRoot) throws -> [UInt8] {
        let path = root.qsentry(keyFile)
        guard let line = try ControlFile.value(path) else {
            throw ControlError(path: path, "missing: write one with: openssl rand -hex 32 > \(path)")
        }
        let key = Array(line.text.trimmed.utf8)
        guard key.count >= 32 else { throw ControlError(path: path, "shorter than 32 characters: write one with openssl rand -hex 32") }
        return key
    }

    /// The path part of the link, `/release/ID/RECIPIENT-HEX/EXPIRES/MAC`.
    public func path(key: [UInt8]) -> String {
        "/release/\(id)/\(Self.hex(Array(recipient.utf8)))/\(expires)/\(Self.hex(mac(key: key)))"
    }

    /// The link in `path` when its MAC is right (its expiry is the caller's to check).
    public static func parse(path: String, key: [UInt8]) -> ReleaseLink? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 5, parts[0] == "release", Quarantine.isValidID(String(parts[1])),
              parts[2].utf8.count <= 640, let rcpt = Quarantine.unhex(String(parts[2])), let expires = Int(parts[3]), let given = Quarantine.unhex(String(parts[4])) else { return nil }
        let link = ReleaseLink(id: String(parts[1]), recipient: String(decoding: rcpt, as: UTF8.self), expires: expires)
        return ConstantTime.equal(given, link.mac(key: key)) ? link : nil
    }

    func mac(key: [UInt8]) -> [UInt8] {
        let data = Array("\(id)\n\(recipient)\n\(expires)".utf8)
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
        return Array(out[0..<Int(length)])
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format2: $0) }.joined() }
}
