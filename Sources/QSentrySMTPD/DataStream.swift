#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// Follows the DATA stream to know where the message ends, to count its size, and to drop
/// client-supplied `X-QSentry-…` header fields, which only qsentry itself may write (nothing a
/// client sends can pass for qsentry's own findings further down the chain).
///
/// E20, SMTP smuggling: the message ends only at CR LF "." CR LF (RFC 5321; the start of DATA
/// counts as after a CR LF). A "." line ended or begun by a bare LF or a bare CR (`\n.\n`,
/// `\r\n.\r`, `\r.\r\n` …) is message text, never the end, so whatever a client writes after it
/// is still this message and can never be read as a second, smuggled transaction. A bare LF
/// anywhere is noted (`sawBareLineFeed`): qmail-smtpd itself refuses such a message ("451 See
/// smtplf.html") and hangs up, so the session stops passing it on and answers the same way once
/// the real end has come. A bare CR is text, as qmail-smtpd stores it.
public struct DataStream {
    public private(set) var size = 0
    public private(set) var finished = false
    /// An LF without the CR before it was seen (qmail-smtpd's "stray newline").
    public private(set) var sawBareLineFeed = false
    private var state = EndState.lineStart
    private var inHeader = true
    private var dropping = false
    private var headerLine: [UInt8] = []

    /// Where the stream stands in the one sequence that ends it: CR LF "." CR LF.
    enum EndState { case lineStart, midLine, dot, dotCR, cr }

    /// Header lines longer than this are passed on as they come (they cannot be ours).
    static let maxHeaderLine = 8192

    public init() {}

    /// Feeds client bytes; returns what to pass to qmail-smtpd and how many input bytes were used
    /// (the rest, after the terminating ".", belongs to the next pipelined command). In the body
    /// that is a slice of `input` itself: the message is not copied on its way through.
    public mutating func feed(_ input: ArraySlice<UInt8>) -> (out: ArraySlice<UInt8>, used: Int) {
        var out: [UInt8] = []
        if inHeader { out.reserveCapacity(input.count) }
        var i = input.startIndex
        // The header, byte by byte (its fields are looked at one by one).
        while inHeader && i < input.endIndex {
            let b = input[i]
            i += 1
            let ended = step(b)
            headerLine.append(b)
            if b == 0x0A || headerLine.count > Self.maxHeaderLine { flushHeader(into: &out) }
            if ended { return finish(out[...], input, i) }
        }
        // The body, passed on as it is. Inside a line only its LF can move towards the end, so the
        // text up to it is skipped at once; the byte before the LF is all that counts of it (a CR
        // there makes the LF end the line, anything else leaves it bare), as `step` would find.
        let start = i
        while i < input.endIndex {
            if state == .midLine {
                guard let lf = input.lineFeed(from: i) else {
                    if input[input.endIndex - 1] == 0x0D { state = .cr }
                    i = input.endIndex
                    break
                }
                if lf > i && input[lf - 1] == 0x0D { state = .cr }
                i = lf
            }
            let b = input[i]
            i += 1
            if step(b) { break }
        }
        if out.isEmpty { return finish(input[start..<i], input, i) }
        out += input[start..<i]
        return finish(out[...], input, i)
    }

    /// One byte through the end-of-data rule; true when it ended the message.
    private mutating func step(_ b: UInt8) -> Bool {
        switch b {
        case 0x0A:
            switch state {
            case .dotCR:
                finished = true
                return true
            case .cr:
                state = .lineStart
            default:
                // A bare LF starts no line a "." could end the message on.
                sawBareLineFeed = true
                state = .midLine
            }
        case 0x0D:
            state = state == .dot ? .dotCR : .cr
        case UInt8(ascii: "."):
            state = state == .lineStart ? .dot : .midLine
        default:
            state = .midLine
        }
        return false
    }

    /// Counts what was used of `input` (up to index `i`) and returns it with the bytes to pass on.
    private mutating func finish(_ out: ArraySlice<UInt8>, _ input: ArraySlice<UInt8>, _ i: Int) -> (out: ArraySlice<UInt8>, used: Int) {
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
