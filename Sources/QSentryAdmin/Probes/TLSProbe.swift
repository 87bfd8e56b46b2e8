import QSentryCore
import QSentrySMTPD

/// The STARTTLS certificate and key load, match, and have not expired (nor expire within 14 days).
struct TLSProbe: LiveProbe {
    let name = "tls"
    static let warnDays = 14

    func run(_ root: QmailRoot) -> [ControlError] {
        let file = root.qsentry("tls-cert")
        let settings: TLSSettings
        do {
            switch try TLSSettings.load(root, sessionTimeout: 60) {
            case .off: return []
            case .unusable(let why): return [ControlError(path: file, "\(why): STARTTLS is not offered")]
            case .ready(let s): settings = s
            }
        } catch {
            return [ControlError(path: file, "\(error)")]
        }
        let context: TLSContext
        do { context = try TLSContext(settings) } catch {
            return [ControlError(path: file, "\(error): STARTTLS would answer 454")]
        }
        guard let left = context.secondsUntilExpiry else { return [] }
        if left <= 0 {
            return [ControlError(path: file, "\(settings.certificatePath) expired \(Self.days(-left)) ago: renew it")]
        }
        if left < Self.warnDays * 86400 {
            return [ControlError(path: file, "\(settings.certificatePath) expires in \(Self.days(left)): renew it")]
        }
        return []
    }

    static func days(_ seconds: Int) -> String {
        let d = seconds / 86400
        return d == 0 ? "less than a day" : d == 1 ? "1 day" : "\(d) days"
    }
}
