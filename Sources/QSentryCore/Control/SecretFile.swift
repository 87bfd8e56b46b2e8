#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A control file that holds a secret (the Redis password, a DKIM private key): install.sh makes
/// it root:qsentry 0640, so the mail programs read it through their group and nobody else can.
/// One check for `qsentry check`, so the rule for what is exposed is written once.
public enum SecretFile {
    /// The group install.sh gives the secrets (and the state).
    public static let groupName = "qsentry"

    /// What is wrong with the file's mode or group, nil when only root and the qsentry group (or
    /// root's group) may read it and nobody but root may write it. `holds` says what is at stake.
    public static func exposure(_ path: String, holds: String) -> ControlError? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let fix = "chgrp \(groupName) \(path); chmod 640 \(path)"
        if st.st_mode & 0o007 != 0 {
            return ControlError(path: path, "open to every user, and it holds \(holds): \(fix)")
        }
        if st.st_mode & 0o020 != 0 {
            return ControlError(path: path, "writable by its group, and it holds \(holds): chmod 640 \(path)")
        }
        let trusted = st.st_gid == 0 || st.st_gid == getgrnam(groupName)?.pointee.gr_gid
        if st.st_mode & 0o060 != 0 && !trusted {
            let name = getgrgid(st.st_gid).map { String(cString: $0.pointee.gr_name) } ?? String(st.st_gid)
            return ControlError(path: path, "open to the group \(name), and it holds \(holds): \(fix)")
        }
        return nil
    }
}
