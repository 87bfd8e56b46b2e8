#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One decision, one line on stderr, for multilog or splogger:
/// `qsentry-conn: pid=4711 ip=192.0.2.7 rule=dnsbl zone=zen.example verdict=refuse`.
///
/// Values with spaces, quotes, `=` or control characters are double-quoted with
/// backslash escapes, so a client-supplied value can never forge a second line
/// or a field.
public struct LogLine {
    public let program: String
    private var fields: [(String, String)] = []

    public init(program: String) { self.program = program }

    /// A line signed with the running program's name (Program.start).
    public init() { self.program = Program.name }

    /// A line of its own for a problem that is not a decision: `warning="…"`.
    public static func warning(_ text: String) {
        var l = LogLine()
        l.add("warning", text)
        l.emit()
    }

    public mutating func add(_ key: String, _ value: String) {
        fields.append((key, value))
    }

    public mutating func add(_ key: String, _ value: RuleName) {
        fields.append((key, value.rawValue))
    }

    public mutating func add(_ key: String, _ value: Int) {
        fields.append((key, String(value)))
    }

    /// The formatted line, without the newline; the pid always comes first.
    public func formatted(pid: Int32 = getpid()) -> String {
        var out = program + ": pid=" + String(pid)
        for (k, v) in fields {
            out += " " + k + "=" + LogLine.quote(v)
        }
        return out
    }

    /// Writes the line to fd 2 with one write(2), so concurrent processes do not interleave.
    public func emit() {
        let bytes = Array((formatted() + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func quote(_ value: String) -> String {
        let needsQuoting = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f
        }
        if !needsQuoting { return value }
        var out = "\""
        for s in value.unicodeScalars.prefix(1000) {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if s.value < 0x20 || s.value == 0x7f {
                    let hex = String(s.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }
}
