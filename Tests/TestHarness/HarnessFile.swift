import Foundation

/// Writes test files with O_CLOEXEC, so a process another test spawns at that moment never
/// inherits the descriptor (which would make executing the file fail with "Text file busy").
public enum HarnessFile {
    public static func write(_ path: String, _ data: Data, mode: mode_t = 0o644) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HarnessError.startFailed("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw HarnessError.startFailed("write \(path): \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        fchmod(fd, mode)
    }

    public static func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        try write(path, Data(text.utf8), mode: mode)
    }
}
