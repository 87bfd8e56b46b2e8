#if canImport(Glibc)
import Glibc
#endif
import QSentryBayes
import QSentryCore
import QSentryStore

/// The store opens and answers a read, and the global Bayes database is in the token format this
/// version learns. The embedded store is only looked at once a program made it: an admin's
/// `qsentry check` (as root) must not create files qmaild then cannot write.
struct StoreProbe: LiveProbe {
    let name = "store"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("store")
        let url: String
        do { url = try StoreConfiguration.configuredURL(root) } catch { return [ControlError(path: file, "\(error)")] }
        let embedded = StoreConfiguration.isEmbedded(url)
        do {
            guard let store = try StoreConfiguration.openIfCreated(root, url: url) else { return [] }
            _ = try store.bans(now: Int(time(nil)))
            let bayes = BayesDatabase(store: store)
            let format = try bayes.storedFormat()
            if format != 0 && format != BayesDatabase.format {
                return [ControlError(path: embedded ? StoreConfiguration.embeddedPath(root) : file,
                                     "\(BayesDatabase.FormatError(namespace: bayes.namespace, found: format))")]
            }
        } catch {
            let fix = embedded ? "check the owner and mode of \(root.stateDirectory)" : "check that Redis runs and the URL"
            return [ControlError(path: embedded ? StoreConfiguration.embeddedPath(root) : file, "store does not open: \(error); \(fix)")]
        }
        return []
    }
}
