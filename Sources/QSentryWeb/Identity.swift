import QSentryCore

/// Who a session belongs to: an administrator (`web-users`), who sees everything, or a mailbox
/// user (checkpassword), who sees only mail addressed to their own addresses.
public enum Identity: Sendable, Equatable {
    case administrator(String)
    case mailbox(login: String, addresses: [String])

    public var isAdministrator: Bool { if case .administrator = self { return true } else { return false } }

    /// nil for an administrator: no filter.
    public var addresses: [String]? {
        switch self {
        case .administrator: return nil
        case .mailbox(_, let a): return a
        }
    }

    /// For the audit log and the page's corner.
    public var name: String {
        switch self {
        case .administrator(let n): return "admin:" + n
        case .mailbox(let login, _): return "user:" + login
        }
    }

    /// A mailbox login's addresses: the login itself when it is an address (vpopmail's
    /// `user@domain`), else the login at each of qmail's local domains (`control/locals`, else
    /// `control/me`), as qmail-send delivers a bare local name.
    public static func addresses(forLogin login: String, root: QmailRoot) -> [String] {
        if login.contains("@") { return [login.lowercased()] }
        var domains: [String] = []
        if let lines = try? ControlFile.lines(root.control("locals")) { domains = lines.map { $0.text.trimmed.lowercased() } }
        if domains.isEmpty, let me = (try? ControlFile.value(root.control("me")))??.text.trimmed.lowercased() { domains = [me] }
        return domains.filter { !$0.isEmpty }.map { login.lowercased() + "@" + $0 }
    }
}
