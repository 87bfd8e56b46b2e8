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
    /// The fields as they will be written (` key=value` each), built as they come: no array of
    /// pairs, whose tuple type the Swift runtime would build from its mangled name in every
    /// process (a quarter of qsentry-conn's instructions went to the log line; bench/conn.sh).
    private var fields: [UInt8] = []

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
        fields.append(0x20)
        fields.append(contentsOf: key.utf8)
        fields.append(UInt8(ascii: "="))
        LogLine.quote(value, into: &fields)
    }

    public mutating func add(_ key: String, _ value: RuleName) { add(key, value.rawValue) }

    public mutating func add(_ key: String, _ value: Int) { add(key, String(value)) }

    /// The formatted line, without the newline; the pid always comes first.
    public func formatted(pid: Int32 = getpid()) -> String { String(decoding: bytes(pid: pid), as: UTF8.self) }

    func bytes(pid: Int32) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(program.utf8.count + 16 + fields.count)
        out.append(contentsOf: program.utf8)
        out.append(contentsOf: ": pid=".utf8)
        out.append(contentsOf: String(pid).utf8)
        out.append(contentsOf: fields)
        return out
    }

    /// Writes the line to fd 2 with one write(2), so concurrent processes do not interleave.
    public func emit() {
        var line = bytes(pid: getpid())
        line.append(0x0A)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Appends `value`, double-quoted with backslash escapes when it holds a space, a quote, `=`,
    /// a backslash or a control character (or is empty); at most about 1,000 bytes of it, cut
    /// at a character boundary.
    static func quote(_ value: String, into out: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuoting = utf8.isEmpty || utf8.contains { b in
            b == 0x20 || b == 0x22 || b == 0x3D || b == 0x5C || b < 0x20 || b == 0x7F
        }
        if !needsQuoting {
            out.append(contentsOf: utf8)
            return
        }
        func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }  // 0-9, a-f
        out.append(0x22)
        var taken = 0
        for b in utf8 {
            // Past the limit, stop at the next character's start (never inside a UTF-8 sequence).
            if taken >= 1000 && b & 0xC0 != 0x80 { break }
            taken += 1
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                out.append(0x5C); out.append(UInt8(ascii: "x"))
                out.append(hex(b >> 4)); out.append(hex(b & 0x0F))
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
