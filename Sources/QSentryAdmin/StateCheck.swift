#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// `qsentry check`'s look at the state directory (`$QMAIL/qsentry`): it exists, belongs to the
/// group `qsentry` with mode 2770 as install.sh makes it, and what is in it is shared with that
/// group (StateFiles' rule). A file made by root with root's defaults would lock the mail programs
/// out of the store; this is where an administrator finds out before the mail does.
public struct StateCheck {
    public let root: QmailRoot
    public static let groupName = "qsentry"

    public init(root: QmailRoot) { self.root = root }

    public func run() -> [ControlError] {
        let dir = root.stateDirectory
        var st = stat()
        guard stat(dir, &st) == 0 else {
            return [ControlError(path: dir, "missing: ./install.sh creates it (root:qsentry, mode 2770)")]
        }
        guard st.st_mode & S_IFMT == S_IFDIR else { return [ControlError(path: dir, "not a directory")] }
        guard let group = getgrnam(Self.groupName) else {
            return [ControlError(path: dir, "there is no group \(Self.groupName): ./install.sh creates it")]
        }
        var problems: [ControlError] = []
        let gid = group.pointee.gr_gid
        if st.st_gid != gid || st.st_mode & 0o2070 != 0o2070 || st.st_mode & 0o007 != 0 {
            problems.append(ControlError(path: dir, "group \(st.st_gid), mode \(String(st.st_mode & 0o7777, radix: 8)): "
                + "want group \(Self.groupName), mode 2770 (chgrp \(Self.groupName) DIR; chmod 2770 DIR)"))
        }
        for name in (try? Directory.names(dir)) ?? [] {
            let path = dir + "/" + name
            var f = stat()
            guard lstat(path, &f) == 0 else { continue }
            let isDir = f.st_mode & S_IFMT == S_IFDIR
            let want: mode_t = isDir ? StateFiles.directoryMode : StateFiles.fileMode
            if f.st_gid != gid || f.st_mode & want != want {
                problems.append(ControlError(path: path, "group \(f.st_gid), mode \(String(f.st_mode & 0o7777, radix: 8)): "
                    + "the mail programs need group \(Self.groupName) and mode \(String(want, radix: 8)) (./install.sh puts it right)"))
            }
        }
        return problems
    }
}
