#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Reads logs line by line in bounded memory: files, multilog directories (`current` and the
/// rotated `@….s` files, oldest first), or standard input.
public enum LogReader {
    /// Longer lines are cut here (a qsentry line is far shorter; the rest of a longer one is dropped).
    static let maxLine = 64 * 1024

    /// The files to read for `path`: itself, or a multilog directory's logs in time order.
    public static func files(_ path: String) throws -> [String] {
        guard FileBytes.type(path) == S_IFDIR else { return [path] }
        let names = try Directory.names(path)
        let rotated = names.filter { $0.hasPrefix("@") && ($0.hasSuffix(".s") || $0.hasSuffix(".u")) }.sorted()
        return (rotated + (names.contains("current") ? ["current"] : [])).map { path + "/" + $0 }
    }

    /// Calls `body` with each line of the file open on `fd` (without its newline).
    public static func forEachLine(_ fd: Int32, path: String, _ body: (Substring) -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []
        var overlong = false
        while true {
            let n = try FileBytes.readSome(fd, into: &buffer, path: path)
            if n == 0 { break }
            var start = 0
            for i in 0..<n where buffer[i] == 10 {
                if !overlong {
                    pending += buffer[start..<i]
                    body(Substring(String(decoding: pending, as: UTF8.self)))
                }
                pending.removeAll(keepingCapacity: true)
                overlong = false
                start = i + 1
            }
            if !overlong { pending += buffer[start..<n] }
            if pending.count > maxLine {
                overlong = true
                pending.removeAll(keepingCapacity: true)
            }
        }
        if !pending.isEmpty && !overlong { body(Substring(String(decoding: pending, as: UTF8.self))) }
    }

    public static func forEachLine(path: String, _ body: (Substring) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SystemError("open", path: path, errno: errno) }
        defer { close(fd) }
        try forEachLine(fd, path: path, body)
    }
}
