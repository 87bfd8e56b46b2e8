/// One meaningful line of a control file, with its 1-based line number.
public struct ControlLine: Equatable, Sendable {
    public let number: Int
    public let text: String
    public init(number: Int, text: String) {
        self.number = number
        self.text = text
    }
}

/// Reads qmail-style control files.
///
/// The rules are qmail's `control_readfile`: one item a line, trailing white
/// space (and the CR of a DOS line end) removed, blank lines and lines starting
/// with `#` ignored. A missing file is not an error: it means the documented
/// default, so readers return nil. An unreadable file, a NUL byte or an overlong
/// line is a `ControlError` naming file and line.
public enum ControlFile {
    /// Larger lists belong in a cdb (`qsentry cdb`).
    public static let maxFileBytes = 16 << 20
    /// No setting or list entry is this long; a longer line is a broken file.
    public static let maxLineBytes = 2048

    /// The file's lines, or nil when the file does not exist.
    public static func lines(_ path: String) throws -> [ControlLine]? {
        let bytes: [UInt8]
        do {
            guard let b = try FileBytes.readIfPresent(path, limit: maxFileBytes) else { return nil }
            bytes = b
        } catch let error as SystemError {
            throw ControlError(path: path, "cannot read: \(String(describing: error).dropFirst(path.count + 2))")
        } catch let error as FileTooLarge {
            throw ControlError(path: path, "larger than \(error.limit) bytes; compile it to a cdb")
        }
        return try parse(bytes, path: path)
    }

    /// Splits bytes into control lines (exposed for tests and for cdb sources).
    public static func parse(_ bytes: [UInt8], path: String) throws -> [ControlLine] {
        var result: [ControlLine] = []
        var number = 0
        var start = 0
        while start < bytes.count {
            number += 1
            let end = bytes[...].lineFeed(from: start) ?? bytes.count
            var stop = end
            while stop > start && isTrailingSpace(bytes[stop - 1]) { stop -= 1 }
            if stop - start > maxLineBytes {
                throw ControlError(path: path, line: number, "line longer than \(maxLineBytes) bytes")
            }
            let line = bytes[start..<stop]
            if line.contains(0) {
                throw ControlError(path: path, line: number, "NUL byte in line")
            }
            if let first = line.first, first != UInt8(ascii: "#") {
                result.append(ControlLine(number: number, text: String(decoding: line, as: UTF8.self)))
            }
            start = end + 1
        }
        return result
    }

    /// The first meaningful line of a one-value file (`control/me`, `databytes`), or nil when missing/empty.
    public static func value(_ path: String) throws -> ControlLine? {
        try lines(path)?.first
    }

    /// A non-negative integer setting; `fallback` when the file is missing or empty.
    public static func integer(_ path: String, default fallback: Int, range: ClosedRange<Int> = 0...Int.max) throws -> Int {
        try integer(path, range: range) ?? fallback
    }

    /// An integer setting whose absence means something (a rule off): nil when missing or empty.
    public static func integer(_ path: String, range: ClosedRange<Int> = 0...Int.max) throws -> Int? {
        guard let line = try value(path) else { return nil }
        let text = line.text.trimmed
        guard let n = Int(text), range.contains(n) else {
            throw ControlError(path: path, line: line.number, "expected a whole number in \(range.lowerBound)...\(range.upperBound), found \"\(text)\"")
        }
        return n
    }

    private static func isTrailingSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0D
    }
}

/// One `key=value` line of a settings file.
public struct KeyValueLine: Sendable, Equatable {
    /// Lowercased and trimmed.
    public let key: String
    /// Trimmed, case kept (callers lowercase where the value is a keyword).
    public let value: String
    public let line: Int
}

extension ControlFile {
    /// The `key=value` lines of a settings file (`bans`, `rdns`, `spf` …); a missing file has none.
    /// Lines without `=` come back as problems, for the caller to throw, log or skip.
    public static func keyValues(_ path: String) throws -> (pairs: [KeyValueLine], malformed: [ControlError]) {
        keyValues(try lines(path) ?? [], path: path)
    }

    /// The same, for lines already read (a caller that must also know whether the file exists).
    public static func keyValues(_ lines: [ControlLine], path: String) -> (pairs: [KeyValueLine], malformed: [ControlError]) {
        var pairs: [KeyValueLine] = []
        var malformed: [ControlError] = []
        for line in lines {
            guard let eq = line.text.firstIndex(of: "=") else {
                malformed.append(ControlError(path: path, line: line.number, "expected key=value"))
                continue
            }
            pairs.append(KeyValueLine(key: line.text[..<eq].trimmed.asciiLowercased,
                                      value: line.text[line.text.index(after: eq)...].trimmed, line: line.number))
        }
        return (pairs, malformed)
    }
}
