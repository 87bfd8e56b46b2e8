#if canImport(Glibc)
import Glibc
#endif
import QSentryCore
import QSentryStore

/// The store opens and answers a read. The embedded store is only looked at once a program made
/// it: an admin's `qsentry check` (as root) must not create files qmaild then cannot write.
struct StoreProbe: LiveProbe {
    let name = "store"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("store")
        let url: String
        do { url = try StoreConfiguration.configuredURL(root) } catch { return [ControlError(path: file, "\(error)")] }
        let embedded = StoreConfiguration.isEmbedded(url)
        do {
            _ = try StoreConfiguration.openIfCreated(root, url: url)?.bans(now: Int(time(nil)))
        } catch {
            let fix = embedded ? "check the owner and mode of \(root.stateDirectory)" : "check that Redis runs and the URL"
            return [ControlError(path: embedded ? StoreConfiguration.embeddedPath(root) : file, "store does not open: \(error); \(fix)")]
        }
        return []
    }
}
