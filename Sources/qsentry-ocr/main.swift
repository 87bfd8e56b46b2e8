#if canImport(Glibc)
import Glibc
#endif
import CTesseract
import QSentryCore
import QSentryOCR

// qsentry-ocr LANGUAGES PIXELS MEMORY < REQUEST: reads each image of the request (OCRFrames) with
// Tesseract and answers its text, or why it was skipped. qsentry-queue runs it for
// control/qsentry/ocr; a dynamic executable because Tesseract (C++) can only be loaded into one.
// An image is sized from its header before it is decoded: one of more than PIXELS is skipped.
let usage = """
    usage: qsentry-ocr LANGUAGES PIXELS MEMORY < REQUEST   (run by qsentry-queue for control/qsentry/ocr)

    Reads the images of the request on standard input with Tesseract (LANGUAGES: eng, eng+deu)
    and writes, for each, "text LENGTH" and its text, or "skip REASON".
    """
if let code = Program.start("qsentry-ocr", usage: usage) { exit(code) }
guard CommandLine.arguments.count == 4, let pixels = Int(CommandLine.arguments[2]), let memory = Int(CommandLine.arguments[3]) else {
    LogLine.warning("usage: qsentry-ocr LANGUAGES PIXELS MEMORY < REQUEST")
    exit(100)
}
// The soft address-space limit raised to MEMORY when it is lower (the hard limit stays the bound).
let unlimited = rlim_t.max  // RLIM_INFINITY, which Swift imports as a negative literal
var limit = rlimit()
if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != unlimited, limit.rlim_cur < rlim_t(memory) {
    limit.rlim_cur = min(limit.rlim_max, rlim_t(memory))
    _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
}
signal(SIGPIPE, SIG_IGN)
_ = setMsgSeverity(6)  // L_SEVERITY_NONE: leptonica's complaints about a bad image are our skip lines
guard let request = try? FileBytes.readAll(0, limit: 400 << 20, path: "request"),
      let images = OCRFrames.images(request, limit: 50) else {
    LogLine.warning("qsentry-ocr: malformed request")
    exit(100)
}
var api: OpaquePointer? = nil

func reading(_ image: [UInt8]) -> ImageReading {
    var format: Int32 = 0, w: Int32 = 0, h: Int32 = 0, bps: Int32 = 0, spp: Int32 = 0, cmap: Int32 = 0
    let header = image.withUnsafeBufferPointer { pixReadHeaderMem($0.baseAddress, $0.count, &format, &w, &h, &bps, &spp, &cmap) }
    guard header == 0, w > 0, h > 0 else { return .skipped("not an image leptonica reads") }
    guard Int(w) * Int(h) <= pixels else { return .skipped("\(w)x\(h) pixels, more than \(pixels)") }
    guard let pix = image.withUnsafeBufferPointer({ pixReadMem($0.baseAddress, $0.count) }) else { return .skipped("\(w)x\(h) image does not decode") }
    defer {
        var owned: OpaquePointer? = pix
        pixDestroy(&owned)
    }
    if api == nil {
        let a = TessBaseAPICreate()
        guard TessBaseAPIInit3(a, nil, CommandLine.arguments[1]) == 0 else {
            TessBaseAPIDelete(a)
            return .skipped("tesseract: no data for \(CommandLine.arguments[1])")
        }
        api = a
    }
    TessBaseAPISetImage2(api, pix)
    guard let text = TessBaseAPIGetUTF8Text(api) else { return .skipped("tesseract read nothing") }
    defer { TessDeleteText(text) }
    return .text(String(cString: text))
}

for image in images {
    let answer = OCRFrames.answer(reading(image))
    guard (try? FileBytes.writeAll(1, answer, path: "stdout")) != nil else { exit(0) }
}
if let api { TessBaseAPIDelete(api) }
exit(0)
