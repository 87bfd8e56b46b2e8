#if canImport(Glibc)
import Glibc
#endif

/// The names in a qmail root's two control directories, listed once a process (opendir and
/// readdir, a handful of system calls) by the programs that live for one connection, message or
/// delivery. Each of those asks for some 60 control files as it starts, most of them absent on
/// a usual site, and each absent one cost a failed open(2) or stat(2): 58 a session through
/// qsentry-conn and qsentry-smtpd, some 1.7 µs each on this VM. Now an absent file is a look-up
/// in a set. The listing is taken when the root is first made and never refreshed, which is only
/// right for processes that read their configuration as they start, so the per-connection mains
/// switch it on (`enable()`); the CLI, the web console and the tests read the directories as
/// they are.
public enum ControlListing {
    /// One directory's names, as readdir gave them.
    public struct Listing: Sendable {
        public let names: Set<String>

        /// Reads `directory` whole; nil when it cannot be opened or a read fails part-way (an
        /// incomplete listing would hide files that are there).
        public init?(directory: String) {
            guard let dir = opendir(directory) else { return nil }
            defer { closedir(dir) }
            var names = Set<String>()
            while true {
                errno = 0
                guard let entry = readdir(dir) else { break }
                names.insert(withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) })
            }
            if errno != 0 { return nil }
            self.names = names
        }
    }

    nonisolated(unsafe) private static var enabled = false
    nonisolated(unsafe) private static var listings: [String: Listing] = [:]

    /// For this process's life: list the control directories of each root made from now on.
    public static func enable() { enabled = true }

    /// Lists `directory` once, when enabled; one that cannot be read is not listed, and its
    /// files are then opened as before.
    static func list(_ directory: String) {
        guard enabled, listings[directory] == nil, let listing = Listing(directory: directory) else { return }
        listings[directory] = listing
    }

    /// Whether `path` is known to be absent: its directory was listed and its name was not in it.
    /// (False for everything outside the listed directories.)
    public static func isAbsent(_ path: String) -> Bool {
        guard !listings.isEmpty else { return false }
        return isAbsent(path, in: listings)
    }

    /// The look-up itself, over `listings` by directory (for the tests: the process-wide switch
    /// stays off in a test process, whose tests write control files as they go).
    public static func isAbsent(_ path: String, in listings: [String: Listing]) -> Bool {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return false }
        guard let listing = listings[String(path[..<slash])] else { return false }
        return !listing.names.contains(String(path[path.utf8.index(after: slash)...]))
    }
}
