#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// The messages behind a path, as `qsentry learn` and bench/bayes.sh take them:
/// - a Maildir (has `cur/` or `new/`): every file in both;
/// - any other directory: every regular file in it (one message each, or an mbox each);
/// - a file starting with an mbox `From ` line: split at each `From ` line after an empty line
///   (mboxrd's `>From ` unquoted);
/// - any other file: one message.
public enum MailSource {
    /// Messages larger than this are skipped (learning from a 100 MB attachment teaches nothing).
    public static let maxMessage = 16 << 20

    /// The message files behind `path` (a file stands for itself).
    public static func files(_ path: String) throws -> [String] {
        guard let type = FileBytes.type(path) else { throw SystemError("stat", path: path, errno: errno) }
        guard type == S_IFDIR else { return [path] }
        let subdirs = ["cur", "new"].filter { FileBytes.type(path + "/" + $0) == S_IFDIR }
        let dirs = subdirs.isEmpty ? [path] : subdirs.map { path + "/" + $0 }
        var out: [String] = []
        for dir in dirs {
            for name in try Directory.names(dir) where !name.hasPrefix(".") {
                let file = dir + "/" + name
                if FileBytes.type(file) == S_IFREG { out.append(file) }
            }
        }
        return out
    }

    /// Calls `body` with each message in `file` (one, or each of an mbox).
    public static func messages(in file: String, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let bytes = try FileBytes.read(file, limit: 1 << 30)
        guard bytes.starts(with: fromLine) else {
            if bytes.count <= maxMessage { try body(bytes[...]) }
            return
        }
        for m in mbox(bytes) where m.count <= maxMessage { try body(m[...]) }
    }

    static let fromLine = Array("From ".utf8)

    /// Splits an mbox into messages (the `From ` separator lines dropped, `>From ` unquoted).
    static func mbox(_ bytes: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8] = []
        var lineStart = 0
        var previousEmpty = true
        var inMessage = false
        while lineStart < bytes.count {
            let end = bytes[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            let line = bytes[lineStart..<end]
            if previousEmpty && line.starts(with: fromLine) {
                if inMessage { messages.append(current) }
                current = []
                inMessage = true
            } else if inMessage {
                if line.first == UInt8(ascii: ">"), line.dropFirst().starts(with: fromLine) { current += line.dropFirst() } else { current += line }
            }
            previousEmpty = line.allSatisfy { $0 == 0x0A || $0 == 0x0D }
            lineStart = end
        }
        if inMessage { messages.append(current) }
        return messages
    }
}
