/// One line a qsentry program logged, read back: when (if the line says), which program, and its
/// `key=value` fields, unquoted the way LogLine quotes them.
///
/// Lines come as multilog writes them (`@4000000069… qsentry-conn: pid=…`), as tai64nlocal
/// prints them (`2026-11-30 10:00:01.123456 qsentry-conn: …`), or bare. Lines of other
/// programs in the same log are not records.
public struct LogRecord: Equatable, Sendable {
    public let time: Int?
    public let program: String
    public let fields: [String: String]

    public static let programs = ["qsentry-conn", "qsentry-smtpd", "qsentry-queue", "qsentry-local"]

    public init(time: Int?, program: String, fields: [String: String]) {
        self.time = time
        self.program = program
        self.fields = fields
    }

    public subscript(_ key: String) -> String? { fields[key] }

    public static func parse(_ line: Substring) -> LogRecord? {
        for program in programs {
            guard let range = line.firstRange(of: program + ": ") else { continue }
            let head = line[..<range.lowerBound]
            // Only a timestamp may come before the program's name.
            let time = LogTimestamp.parse(head.trimmingTrailingSpaces)
            if time == nil && !head.allSatisfy({ $0 == " " }) { continue }
            guard let fields = parseFields(line[range.upperBound...]) else { return nil }
            return LogRecord(time: time, program: program, fields: fields)
        }
        return nil
    }

    /// `k=v k2="a \"quoted\" value"` → fields; nil when the text is not in that form.
    static func parseFields(_ text: Substring) -> [String: String]? {
        var fields: [String: String] = [:]
        var chars = Array(text.unicodeScalars)[...]
        while true {
            while chars.first == " " { chars = chars.dropFirst() }
            if chars.isEmpty || chars.first == "\r" { return fields }
            guard let eq = chars.firstIndex(of: "="), !chars[chars.startIndex..<eq].contains(" ") else { return nil }
            let key = String(String.UnicodeScalarView(chars[chars.startIndex..<eq]))
            chars = chars[(eq + 1)...]
            var value = String.UnicodeScalarView()
            if chars.first == "\"" {
                chars = chars.dropFirst()
                var closed = false
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if c == "\"" { closed = true; break }
                    if c != "\\" { value.append(c); continue }
                    guard let e = chars.first else { return nil }
                    chars = chars.dropFirst()
                    switch e {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "x":
                        guard chars.count >= 2, let v = UInt32(String(String.UnicodeScalarView(chars.prefix(2))), radix: 16),
                              let s = Unicode.Scalar(v) else { return nil }
                        value.append(s)
                        chars = chars.dropFirst(2)
                    default: value.append(e)
                    }
                }
                if !closed { return nil }
            } else {
                while let c = chars.first, c != " " {
                    value.append(c)
                    chars = chars.dropFirst()
                }
            }
            fields[key] = String(value)
        }
    }
}

extension Substring {
    var trimmingTrailingSpaces: Substring {
        var s = self
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
