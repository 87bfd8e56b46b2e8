/// Whether a recipient exists, and how we know: the chkuser question (E1).
public enum RecipientAnswer: Equatable, Sendable {
    /// Delivered here; the reason names the source (`users/cdb`, `.qmail-sales`, `validrcptto.cdb` …).
    case exists(String)
    /// Certainly no such mailbox here (550 5.1.1).
    case unknown(String)
    /// Not a local or virtual domain of this host: relay rules decide.
    case notLocal
    /// A database could not be read: 451 4.3.0, never "unknown" by accident.
    case temporary(String)
}
