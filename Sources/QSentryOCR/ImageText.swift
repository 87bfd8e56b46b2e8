#if canImport(Glibc)
import Glibc
#endif
import QSentryCore

/// M7's settings, `control/qsentry/ocr` (any line turns OCR on; comments only, as installed: off).
public struct OCRSettings: Sendable, Equatable {
    /// Tesseract's languages (`eng`, `eng+deu`), from Debian's tesseract-ocr-LANG packages.
    public var languages = "eng"
    /// Images read at most, a message.
    public var images = 5
    /// Bytes of one image at most (decoded); a larger one is skipped.
    public var bytes = 5 << 20
    /// Pixels of one image at most, from its header before any decoding: a pixel bomb is skipped.
    public var pixels = 25_000_000
    /// The time budget of a message's images, milliseconds.
    public var milliseconds = 5000
    /// The address space qsentry-ocr may use: Tesseract needs far more than the 96 MB softlimit
    /// the SMTP run script gives the chain, so the helper raises its own soft limit to this (never
    /// past the hard limit).
    public var memory = 256 << 20
    public init() {}

    static let names = ["languages", "images", "bytes", "pixels", "seconds", "memory"]

    public static func load(_ path: String) throws -> OCRSettings? { try SettingsFile.lines(path).map(read) }

    @Sendable public static func problems(_ lines: [ControlLine], _ path: String) -> [ControlError] {
        SettingsFile.problems(lines, path, read)
    }

    static func read(_ settings: [SettingsFile.Setting]) throws -> OCRSettings {
        var s = OCRSettings()
        for p in settings {
            switch p.key {
            case "languages":
                guard !p.value.isEmpty, p.value.allSatisfy({ $0.isLetter || $0 == "+" || $0 == "_" }) else { throw p.error("languages like eng or eng+deu") }
                s.languages = p.value
            case "images": s.images = try p.number(1...50)
            case "bytes": s.bytes = try p.number(1024...(64 << 20))
            case "pixels": s.pixels = try p.number(10_000...200_000_000)
            case "seconds": s.milliseconds = try p.number(1...120) * 1000
            case "memory": s.memory = try p.number((64 << 20)...(4 << 30))
            default: throw p.unknown(names)
            }
        }
        return s
    }

    public static let controlFiles: [ControlFileSpec] = [
        .init("ocr", .qsentry, .checkedBy(problems),
              "OCR of images, any line turns it on: languages, images, bytes, pixels, seconds, memory (M7)"),
    ]
}

/// What OCR made of one image: its text, or why it was skipped (a log field, never a failure).
public enum ImageReading: Equatable, Sendable {
    case text(String)
    case skipped(String)
}

/// The frames between qsentry-queue and qsentry-ocr. In (a file on the helper's stdin): for each
/// image `LENGTH\n` and its bytes. Out: for each image `text LENGTH\n` and its UTF-8 text, or
/// `skip REASON\n`.
public enum OCRFrames {
    public static func request(_ images: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for i in images { out += Array("\(i.count)\n".utf8) + i }
        return out
    }

    /// The images of a request, at most `limit`; nil when it is malformed.
    public static func images(_ bytes: [UInt8], limit: Int) -> [[UInt8]]? {
        var out: [[UInt8]] = []
        var i = 0
        while i < bytes.count && out.count < limit {
            guard let nl = bytes[i...].firstIndex(of: 0x0A), let n = Int(String(decoding: bytes[i..<nl], as: UTF8.self)),
                  n >= 0, nl + 1 + n <= bytes.count else { return nil }
            out.append(Array(bytes[(nl + 1)..<(nl + 1 + n)]))
            i = nl + 1 + n
        }
        return out
    }

    public static func answer(_ r: ImageReading) -> [UInt8] {
        switch r {
        case .text(let t): return Array("text \(t.utf8.count)\n".utf8) + Array(t.utf8)
        case .skipped(let why): return Array(("skip " + String(why.map { $0 == "\n" ? " " : $0 }) + "\n").utf8)
        }
    }

    /// The readings in an answer stream (as far as it is complete).
    public static func readings(_ bytes: [UInt8]) -> [ImageReading] {
        var out: [ImageReading] = []
        var i = 0
        while i < bytes.count, let nl = bytes[i...].firstIndex(of: 0x0A) {
            let line = String(decoding: bytes[i..<nl], as: UTF8.self)
            if line.hasPrefix("skip ") {
                out.append(.skipped(String(line.dropFirst(5))))
                i = nl + 1
            } else if line.hasPrefix("text "), let n = Int(line.dropFirst(5)), n >= 0, nl + 1 + n <= bytes.count {
                out.append(.text(String(decoding: bytes[(nl + 1)..<(nl + 1 + n)], as: UTF8.self)))
                i = nl + 1 + n
            } else {
                break
            }
        }
        return out
    }
}
