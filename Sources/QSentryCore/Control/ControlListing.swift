#if canImport(Glibc)
import Glibc
#endif

/// The names in a qmail root's two control directories, listed once a process (opendir and
/// readdir, a handful of system calls) by the programs that live for one connection, message or
/// delivery. Each of those asks for some 60 control files as it starts, most of them absent on
/// a usual site, and each absent one cost a failed open(2) or stat(2): 58 a session through
/// qsentry-conn and qsentry-smtpd, some 1.7 µs each on this VM. Now an absent file is a look-up
/// in a sorted array of hashes. The listing is taken when the root is first made and never
/// refreshed, which is only right for processes that read their configuration as they start, so
/// the per-connection mains switch it on (`enable()`); the CLI, the web console and the tests
/// read the directories as they are.
public enum ControlListing {
    /// One directory's names, as 64-bit FNV-1a hashes, sorted. A name whose hash is not there is
    /// not in the directory; a hash shared by two names only makes a file be opened as before. No
    /// String a name: a Set of Strings cost some 1,900 instructions a name to build. UInt, not
    /// UInt64: the standard library carries `[UInt]`'s metadata made, where `[UInt64]`'s is made as
    /// the process starts (some 10,000 instructions).
    public struct Listing: Sendable {
        let hashes: [UInt]

        /// Reads `directory` whole; nil when it cannot be opened or a read fails part-way (an
        /// incomplete listing would hide files that are there).
        public init?(directory: String) {
            guard let dir = opendir(directory) else { return nil }
            defer { closedir(dir) }
            var hashes: [UInt] = []
            while true {
                errno = 0
                guard let entry = readdir(dir) else { break }
                hashes.append(withUnsafeBytes(of: entry.pointee.d_name) { name in
                    var h = ControlListing.offset
                    for b in name { if b == 0 { break }; h = (h ^ UInt64(b)) &* ControlListing.prime }
                    return UInt(truncatingIfNeeded: h)
                })
            }
            if errno != 0 { return nil }  // a read error, not the end
            self.hashes = hashes.sorted()
        }

        /// Whether a file named `name` (its bytes) may be in the directory (false: it is not).
        public func mayContain(_ name: UnsafeRawBufferPointer) -> Bool {
            var h = ControlListing.offset
            for b in name { h = (h ^ UInt64(b)) &* ControlListing.prime }
            var low = 0, high = hashes.count
            let key = UInt(truncatingIfNeeded: h)
            while low < high {
                let mid = (low + high) / 2
                if hashes[mid] < key { low = mid + 1 } else { high = mid }
            }
            return low < hashes.count && hashes[low] == UInt(truncatingIfNeeded: h)
        }

        /// The same for a name given as a String (the tests).
        public func mayContain(_ name: String) -> Bool {
            var name = name
            return name.withUTF8 { mayContain(UnsafeRawBufferPointer($0)) }
        }
    }

    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325, prime: UInt64 = 0x100_0000_01b3

    nonisolated(unsafe) private static var enabled = false
    /// The directories listed so far, newest first: a chain of objects, not an array of tuples,
    /// whose metadata the runtime would make as each process starts (some 11,000 instructions),
    /// for the one or two directories a process lists.
    nonisolated(unsafe) private static var listed: Listed?

    final class Listed {
        /// The directory's path, its bytes copied once: every look-up compares a path against them.
        let bytes: UnsafeMutableBufferPointer<UInt8>
        let listing: Listing
        let next: Listed?

        init(_ directory: String, _ listing: Listing, next: Listed?) {
            bytes = .allocate(capacity: directory.utf8.count)
            _ = bytes.initialize(from: directory.utf8)
            self.listing = listing
            self.next = next
        }

        deinit { bytes.deallocate() }

        /// Whether this is `directory`'s listing (memcmp: a generic elementsEqual of the two
        /// views cost some 8,000 instructions).
        func isListing(of directory: String) -> Bool {
            var directory = directory
            return directory.withUTF8 { d in
                d.count == bytes.count && (d.count == 0 || memcmp(d.baseAddress!, bytes.baseAddress!, d.count) == 0)
            }
        }
    }

    /// For this process's life: list the control directories of each root made from now on.
    public static func enable() { enabled = true }

    /// Lists `directory` once, when enabled; one that cannot be read is not listed, and its
    /// files are then opened as before.
    static func list(_ directory: String) {
        guard enabled else { return }
        var l = listed
        while let entry = l {
            if entry.isListing(of: directory) { return }
            l = entry.next
        }
        guard let listing = Listing(directory: directory) else { return }
        listed = Listed(directory, listing, next: listed)
    }

    /// Whether `path` is known to be absent: its directory was listed and its name was not in it.
    /// (False for everything outside the listed directories.)
    public static func isAbsent(_ path: String) -> Bool {
        guard listed != nil else { return false }
        var path = path
        return path.withUTF8 { p in
            var l = listed
            while let entry = l {
                if let known = isAbsent(p, directory: UnsafeBufferPointer(entry.bytes), listing: entry.listing) { return known }
                l = entry.next
            }
            return false
        }
    }

    /// The look-up itself, over `listings` (for the tests: the process-wide switch stays off in a
    /// test process, whose tests write control files as they go). On the bytes: String's views
    /// cost some 7,000 instructions a look-up here.
    public static func isAbsent(_ path: String, in listings: [(directory: String, listing: Listing)]) -> Bool {
        var path = path
        return path.withUTF8 { p in
            for (directory, listing) in listings {
                var directory = directory
                if let known = directory.withUTF8({ isAbsent(p, directory: $0, listing: listing) }) { return known }
            }
            return false
        }
    }

    /// Whether the file at `path` (its bytes) is absent from `directory`: nil when the path is not
    /// directly in that directory (nothing known), else whether the listing lacks its name.
    static func isAbsent(_ p: UnsafeBufferPointer<UInt8>, directory d: UnsafeBufferPointer<UInt8>, listing: Listing) -> Bool? {
        let slash = UInt8(ascii: "/")
        guard d.count > 0, p.count > d.count + 1, p[d.count] == slash, memcmp(p.baseAddress!, d.baseAddress!, d.count) == 0 else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(p)[(d.count + 1)...])
        if memchr(name.baseAddress!, Int32(slash), name.count) != nil { return nil }  // a subdirectory's file: not listed
        return !listing.mayContain(name)
    }
}
