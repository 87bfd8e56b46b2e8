#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one ownership rule of qsentry's state (`$QMAIL/qsentry/`: the store, the Bayes tokens,
/// the quarantine): everything in it belongs to the state directory's group and is mode 0660
/// (directories 2770, so what is made inside inherits the group).
///
/// Its writers run as different users: qmaild (qsentry-conn, -smtpd, -queue, started by tcpserver
/// with the state group, `-g`), each delivery user (qsentry-local, installed setgid to that group,
/// because qmail-lspawn drops every supplementary group), and root (the admin CLI). A file one of
/// them creates with its own defaults (root's umask makes 0644) would lock the others out, so
/// every creator adopts the file at once. Only the owner or root can change a file, and a file
/// that already has the right group and mode costs one stat.
public enum StateFiles {
    public static let fileMode: mode_t = 0o660
    public static let directoryMode: mode_t = 0o2770

    /// Gives `path` (when it exists) its parent directory's group and the shared mode.
    public static func adopt(_ path: String) {
        var file = stat()
        guard stat(path, &file) == 0 else { return }
        let isDirectory = file.st_mode & S_IFMT == S_IFDIR
        adopt(path, file, isDirectory ? directoryMode : fileMode)
    }

    /// Makes a directory of the state (missing parents too), then adopts it.
    public static func makeDirectory(_ path: String) throws {
        let parent = path.withoutTrailingSlashes
        if FileBytes.exists(parent) { return adopt(parent) }
        if let slash = parent.lastIndex(of: "/"), slash != parent.startIndex {
            try makeDirectory(String(parent[..<slash]))
        }
        if mkdir(parent, 0o770) != 0 && errno != EEXIST {
            throw SystemError("mkdir", path: parent, errno: errno)
        }
        adopt(parent)
    }

    private static func adopt(_ path: String, _ file: stat, _ mode: mode_t) {
        // Not root, the mode right already: nothing here could change (only root changes groups),
        // so a per-connection program that opens the store pays one stat per file, not two.
        let root = geteuid() == 0
        if !root && file.st_mode & 0o7777 == mode { return }
        var dir = stat()
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        guard stat(parent.isEmpty ? "/" : parent, &dir) == 0 else { return }
        // Only the state's own parents hand their group down: a directory made by the installer is
        // setgid; elsewhere (a test's temporary root, /tmp) nothing is changed.
        guard dir.st_mode & S_ISGID != 0 else { return }
        if file.st_gid != dir.st_gid && root { _ = chown(path, uid_t.max, dir.st_gid) }
        if file.st_mode & 0o7777 != mode && (root || geteuid() == file.st_uid) { _ = chmod(path, mode) }
    }
}
