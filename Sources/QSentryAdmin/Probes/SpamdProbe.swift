import QSentryCore
import QSentryDelivery

/// `spamd` answers PING.
struct SpamdProbe: LiveProbe {
    let name = "spamd"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("spamd")
        guard let (text, line) = LiveProbes.value(file), let address = ServiceAddress.parse(text) else { return [] }
        guard let why = SpamdClient(address: address).ping() else { return [] }
        return [ControlError(path: file, line: line, "spamd: \(why): start spamd (it is optional: remove the file to do without)")]
    }
}
