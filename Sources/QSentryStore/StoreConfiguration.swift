#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Opens the store the qmail root configures: `control/qsentry/store` (`embedded`, the default,
/// or a Redis URL), the host id (`control/qsentry/hostid`, else `control/me`, else the host name)
/// and the policy (`bans`, `reputation`).
public enum StoreConfiguration {
    public static func hostID(_ root: QmailRoot) throws -> String {
        for file in [root.qsentry("hostid"), root.control("me")] {
            if let v = try ControlFile.value(file)?.text.trimmed, !v.isEmpty { return v }
        }
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count - 1)
        return String(cString: buf)
    }

    /// The embedded database's path: `$QMAIL/qsentry/store.sqlite`.
    public static func embeddedPath(_ root: QmailRoot) -> String { root.stateDirectory + "/store.sqlite" }

    /// Whether Bayes tokens can exist yet: always with Redis; with the embedded store, once
    /// `bayes.lmdb` was made (by `qsentry learn`). Lets a delivery skip opening a store nobody trained.
    public static func mayHoldTokens(_ root: QmailRoot, url configured: String? = nil) throws -> Bool {
        let url = try configured ?? configuredURL(root)
        guard isEmbedded(url) else { return true }
        return FileBytes.exists(root.stateDirectory + "/bayes.lmdb")
    }

    /// Whether `url` (as `configuredURL` gives it) names the embedded store; an empty file does too.
    public static func isEmbedded(_ url: String) -> Bool { url == "embedded" || url.isEmpty }

    /// The configured store, or nil while the embedded one has not been made: what reads the store
    /// and never writes first (qsentry-conn, `qsentry explain`, `qsentry check`) must neither pay to
    /// open an empty one nor create files as whoever runs it.
    public static func openIfCreated(_ root: QmailRoot, url configured: String? = nil) throws -> Store? {
        let url = try configured ?? configuredURL(root)
        if isEmbedded(url) && !FileBytes.exists(embeddedPath(root)) { return nil }
        return try open(root, url: url)
    }

    /// `control/qsentry/store`, or `embedded` when the file is missing.
    public static func configuredURL(_ root: QmailRoot) throws -> String {
        try ControlFile.value(root.qsentry("store"))?.text.trimmed ?? "embedded"
    }

    /// Opens the configured store; `url` saves a second read when the caller already has it.
    public static func open(_ root: QmailRoot, url configured: String? = nil) throws -> Store {
        let url = try configured ?? configuredURL(root)
        let policy = try StorePolicy.load(root)
        if isEmbedded(url) {
            do { try StateFiles.makeDirectory(root.stateDirectory) } catch { throw StoreError("\(error)") }
            return try EmbeddedStore(path: embeddedPath(root), policy: policy)
        }
        let credentials: RedisCredentials?
        do { credentials = try RedisCredentials.load(root) } catch { throw StoreError("\(error)") }
        return try RedisStore(url: url, policy: policy, masterCache: root.stateDirectory + "/redis-master", credentials: credentials)
    }

    /// A reporter for `store` with this host's id and the given allow list (`ipallow` by default).
    public static func events(_ store: Store, _ root: QmailRoot, allow: IPList? = nil) throws -> ClientEvents {
        ClientEvents(store: store, allow: try allow ?? IPList.load(root.qsentry("ipallow")), host: try hostID(root))
    }
}
