#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSystemSupport

/// The state group for a program installed setgid to it (qsentry-local: qmail-lspawn runs each
/// delivery as the user with no supplementary groups, so only the file's setgid bit can give it
/// the state; see StateFiles).
///
/// Held only while the state is used: put aside at start-up, taken back around the store, the
/// tokens and the quarantine, and given up for good before anything the user controls (their
/// preferences, their Maildir) is written. Without the setgid bit all of this does nothing.
public enum StateGroup {
    nonisolated(unsafe) private static var stateGID: gid_t?

    /// Whether the kernel started this process with more rights than its caller (setgid):
    /// then nothing from the environment may choose which files it opens ($QMAIL is ignored).
    public static var isElevated: Bool { qsentry_is_setid() != 0 }

    /// Puts the state group aside (effective group back to the real one), keeping it saved.
    public static func setAside() {
        let real = getgid(), effective = getegid()
        if stateGID == nil && real != effective { stateGID = effective }
        if stateGID != nil { _ = setegid(real) }
    }

    /// Takes the state group back (after `setAside`); `setAside` puts it aside again.
    public static func resume() {
        if let g = stateGID { _ = setegid(g) }
    }

    /// Gives the state group up for good (real, effective and saved).
    public static func giveUp() {
        guard stateGID != nil else { return }
        let real = getgid()
        _ = qsentry_set_all_gids(real)
        stateGID = nil
    }
}
