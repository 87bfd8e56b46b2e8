import QSentryCore
import QSentryScan

/// `clamd` answers PING.
struct ClamdProbe: LiveProbe {
    let name = "clamd"

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("clamd")
        guard let (text, line) = LiveProbes.value(file) else { return [] }
        guard let address = ClamdScanner.parse(text) else { return [] }  // the lint reports the syntax
        guard let why = ClamdScanner(address: address).ping() else { return [] }
        return [ControlError(path: file, line: line, "clamd: \(why): start clamd, and let qmaild reach its socket")]
    }
}
