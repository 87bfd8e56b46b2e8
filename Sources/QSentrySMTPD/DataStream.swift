/// Follows the DATA stream the way qmail-smtpd's blast() does, to know where the message ends
/// (a line of just "." ended by CRLF or LF), to count its size, and to drop client-supplied
/// `X-QSentry-…` header fields, which only qsentry itself may write (nothing a client sends can
/// pass for qsentry's own findings further down the chain).
public struct DataStream {
    public private(set) var size = 0
    public private(set) var finished = false
    private var atLineStart = true
    private var inHeader = true
    private var dropping = false
    private var dotLine = false
    private var headerLine: [UInt8] = []

    /// Header lines longer than this are passed on as they come (they cannot be ours).
    static let maxHeaderLine = 8192

    public init() {}

    /// Feeds client bytes; returns what to pass to qmail-smtpd and how many input bytes were used
    /// (the rest, after the terminating ".", belongs to the next pipelined command).
    public mutating func feed(_ input: ArraySlice<UInt8>) -> (out: [UInt8], used: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        // The header, byte by byte (its fields are looked at one by one).
        while inHeader && i < input.endIndex {
            let b = input[i]
            i += 1
            follow(b)
            headerLine.append(b)
            if b == 0x0A || headerLine.count > Self.maxHeaderLine { flushHeader(into: &out) }
            if b == 0x0A && endOfLine() { return finish(out, input, i) }
        }
        // The body, a line at a time: only the line of just "." matters in it.
        while i < input.endIndex {
            let lf = input[i...].firstIndex(of: 0x0A)
            let end = lf ?? input.endIndex
            if i < end {
                // Still the lone "." only if the line starts with it and only CRs follow it.
                if atLineStart { dotLine = input[i] == UInt8(ascii: ".") }
                if dotLine && !input[(atLineStart ? i + 1 : i)..<end].allSatisfy({ $0 == 0x0D }) { dotLine = false }
                atLineStart = false
            }
            guard let lf else {
                out += input[i...]
                i = input.endIndex
                break
            }
            out += input[i...lf]
            i = lf + 1
            if endOfLine() { return finish(out, input, i) }
        }
        return finish(out, input, i)
    }

    /// The byte-at-a-time version of the "." line tracking, for the header.
    private mutating func follow(_ b: UInt8) {
        if atLineStart { dotLine = b == UInt8(ascii: ".") } else if dotLine && b != 0x0D && b != 0x0A { dotLine = false }
        atLineStart = false
    }

    /// At a line feed: whether the line was the lone "." that ends the message.
    private mutating func endOfLine() -> Bool {
        if dotLine { finished = true }
        atLineStart = true
        return finished
    }

    /// Counts what was used of `input` (up to index `i`) and returns it with the bytes to pass on.
    private mutating func finish(_ out: [UInt8], _ input: ArraySlice<UInt8>, _ i: Int) -> (out: [UInt8], used: Int) {
        size += i - input.startIndex
        return (out, i - input.startIndex)
    }

    private mutating func flushHeader(into out: inout [UInt8]) {
        let line = headerLine
        headerLine.removeAll(keepingCapacity: true)
        let content = line.filter { $0 != 0x0D && $0 != 0x0A }
        if content.isEmpty || (content.count == 1 && content[0] == UInt8(ascii: ".")) {
            inHeader = false
            out += line
            return
        }
        if content.first == 0x20 || content.first == 0x09 {
            if !dropping { out += line }
            return
        }
        dropping = Self.isOurs(content)
        if !dropping { out += line }
    }

    static let prefix = Array("x-qsentry-".utf8)

    static func isOurs(_ line: [UInt8]) -> Bool {
        guard line.count >= prefix.count else { return false }
        for (i, p) in prefix.enumerated() {
            var c = line[i]
            if c >= 65 && c <= 90 { c += 32 }
            if c != p { return false }
        }
        return true
    }
}
