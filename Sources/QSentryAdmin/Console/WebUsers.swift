#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// A3: `control/qsentry/web-users`, the web console's administrators: one `name:hash` a line,
/// the hash a crypt(3) string (`qsentry web passwd NAME` writes yescrypt). Mailbox users are
/// not here: they log in through `control/qsentry/checkpassword`, as for SMTP AUTH.
public struct WebUsers: Sendable {
    public static let fileName = "web-users"
    public private(set) var entries: [(name: String, hash: String)] = []

    public init() {}

    /// A name is what a login form and an audit line can carry safely.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D
        }
    }

    public static func parse(_ lines: [ControlLine], path: String) -> (WebUsers, [ControlError]) {
        var users = WebUsers(), problems: [ControlError] = []
        for line in lines {
            guard let colon = line.text.firstIndex(of: ":") else {
                problems.append(ControlError(path: path, line: line.number, "expected name:hash (qsentry web passwd NAME writes one)"))
                continue
            }
            let name = String(line.text[..<colon]), hash = String(line.text[line.text.index(after: colon)...])
            if !isValidName(name) {
                problems.append(ControlError(path: path, line: line.number, "\(name): a name is letters, digits, '.', '_' or '-', at most 64"))
            } else if !hash.hasPrefix("$") || hash.contains(":") || hash.count < 13 {
                problems.append(ControlError(path: path, line: line.number, "\(name): not a crypt(3) hash; set it with qsentry web passwd \(name)"))
            } else if users.hash(of: name) != nil {
                problems.append(ControlError(path: path, line: line.number, "\(name) is listed twice"))
            } else {
                users.entries.append((name, hash))
            }
        }
        return (users, problems)
    }

    public static func load(_ root: QmailRoot) throws -> WebUsers {
        let path = root.qsentry(fileName)
        guard let lines = try ControlFile.lines(path) else { return WebUsers() }
        return parse(lines, path: path).0
    }

    public func hash(of name: String) -> String? { entries.first { $0.name == name }?.hash }

    /// Whether `name` and `password` are an administrator's (constant work for unknown names).
    public func verify(name: String, password: [UInt8]) -> Bool {
        guard let hash = hash(of: name) else {
            _ = PasswordHash.verify(password, hash: PasswordHash.decoy)
            return false
        }
        return PasswordHash.verify(password, hash: hash)
    }

    /// Sets `name`'s password in the file: the line replaced or added, the file written atomically,
    /// readable by root and the group only (the web console's group reads it).
    public static func setPassword(_ root: QmailRoot, name: String, password: [UInt8]) throws {
        guard isValidName(name) else { throw ControlError(path: root.qsentry(fileName), "\(name): a name is letters, digits, '.', '_' or '-', at most 64") }
        let path = root.qsentry(fileName)
        let hash = try PasswordHash.make(password)
        var lines: [String] = []
        var replaced = false
        if let bytes = try? FileBytes.read(path, limit: ControlFile.maxFileBytes) {
            for raw in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
                if raw.hasPrefix(name + ":") { lines.append("\(name):\(hash)"); replaced = true } else { lines.append(String(raw)) }
            }
            if lines.last == "" { lines.removeLast() }
        }
        if !replaced { lines.append("\(name):\(hash)") }
        var st = stat()
        let existing = stat(path, &st) == 0
        try FileBytes.writeAtomically(path, Array((lines.joined(separator: "\n") + "\n").utf8), mode: 0o640)
        // Keep the group the installer gave it (the web console's); a new file gets the directory's.
        if existing { _ = chown(path, st.st_uid, st.st_gid); _ = chmod(path, st.st_mode & 0o7777 & ~0o007) }
        else { var dir = stat(); if stat(root.qsentryControlDirectory, &dir) == 0 { _ = chown(path, 0, dir.st_gid) }; _ = chmod(path, 0o640) }
    }
}
