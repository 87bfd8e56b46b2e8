/// A settings file of `key=value` lines whose presence turns a rule on (greylist,
/// sending-limits, connection-limits): its lines, and each value read as the rule's type with
/// an error that names the file, the line and the key.
public enum SettingsFile {
    /// The lines of `path`; nil when there is no file or no line in it (the file install.sh puts
    /// in place holds only commented examples: the rule stays off). The first malformed line throws.
    public static func lines(_ path: String) throws -> [Setting]? {
        guard let lines = try ControlFile.lines(path), !lines.isEmpty else { return nil }
        return try parse(lines, path: path)
    }

    /// `lines` as settings; the first malformed line throws.
    public static func parse(_ lines: [ControlLine], path: String) throws -> [Setting] {
        let (pairs, malformed) = ControlFile.keyValues(lines, path: path)
        if let first = malformed.first { throw first }
        return pairs.map { Setting(pair: $0, path: path) }
    }

    /// What `read` finds wrong with `lines`, for `qsentry check`: the first problem, as the rule
    /// would meet it when loading the file.
    public static func problems<S>(_ lines: [ControlLine], _ path: String, _ read: ([Setting]) throws -> S) -> [ControlError] {
        do { _ = try read(parse(lines, path: path)) } catch let e as ControlError { return [e] } catch { return [ControlError(path: path, "\(error)")] }
        return []
    }

    /// The settings a rule reads from `path` with `load`, or, when the file is malformed, the
    /// defaults and the problem in `problems`: a typo must neither turn the rule off unnoticed
    /// nor stop the program.
    public static func load<S>(_ path: String, _ load: (String) throws -> S?, defaults: S, problems: inout [ControlError]) throws -> S? {
        do {
            return try load(path)
        } catch let e as ControlError {
            problems.append(e)
            return defaults
        }
    }

    public struct Setting: Sendable {
        public let pair: KeyValueLine
        public let path: String
        public var key: String { pair.key }
        public var value: String { pair.value }

        public func error(_ expected: String) -> ControlError {
            ControlError(path: path, line: pair.line, "\(key): expected \(expected), found \"\(value)\"")
        }

        public func number(_ range: ClosedRange<Int>) throws -> Int {
            guard let n = Int(value), range.contains(n) else { throw error("a whole number in \(range)") }
            return n
        }

        /// `90s`, `10m`, `12h`, `1d`, or a bare number of minutes; at least one second.
        public func duration() throws -> Int {
            guard let n = SettingSyntax.seconds(value), n > 0 else { throw error("a duration like 90s, 10m, 12h or 1d") }
            return n
        }

        public func flag() throws -> Bool {
            guard value == "yes" || value == "no" else { throw error("yes or no") }
            return value == "yes"
        }

        public func unknown(_ known: [String]) -> ControlError {
            ControlError(path: path, line: pair.line, "unknown key \"\(key)\" (known: \(known.joined(separator: ", ")))")
        }
    }
}
