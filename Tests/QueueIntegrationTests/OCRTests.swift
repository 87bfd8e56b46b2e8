import Foundation
import Testing
import TestHarness

/// M7 through qsentry-queue and the real qsentry-ocr (Tesseract, Debian's English data): images
/// made here with ImageMagick and a Debian font, a keyword rule that only their text can hit, the
/// pixel bomb and broken images of each format, and the time budget.
@Suite(.serialized) struct OCRTests {
    final class Rig {
        let root: TempQmailRoot
        let dir: String
        init(ocr: String = "images=5\n") throws {
            root = try TempQmailRoot()
            dir = root.runDirectory
            _ = try QueueRun.recordingQueue(in: root)
            try root.write("control/me", "mx.example.org\n")
            try root.write("control/qsentry/authentication", "off\n")  // M11 has its own suite
            try root.write("control/qsentry/keywords", "cheap meds\n")
            try root.write("control/qsentry/ocr", ocr)
        }

        /// An image made by ImageMagick's convert from `arguments`, as `name` (its format from the extension).
        func image(_ name: String, _ arguments: [String]) throws -> Data {
            let path = dir + "/" + name
            let r = try Run.command("convert", arguments + [path])
            guard r.status == 0 else { throw HarnessError.startFailed("convert: \(r.output)") }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }

        func text(_ words: String, _ name: String, extra: [String] = [], background: String = "xc:white", fill: String = "black") throws -> Data {
            try image(name, ["-size", "760x150", background] + extra
                      + ["-font", "DejaVu-Sans", "-pointsize", "56", "-fill", fill, "-annotate", "+20+95", words])
        }

        /// A message whose only part is `images`, base64, with `type`.
        func message(_ images: [(Data, String)]) -> String {
            var m = "From: a@example.net\nTo: you@example.org\nSubject: hi\nContent-Type: multipart/mixed; boundary=b\n\n"
            for (data, name) in images {
                m += "--b\nContent-Type: application/octet-stream; name=\(name)\nContent-Transfer-Encoding: base64\n\n"
                m += data.base64EncodedString(options: .lineLength76Characters) + "\n"
            }
            return m + "--b--\n"
        }

        func run(_ message: String) throws -> QueueRun {
            try QueueRun(root: root, message: message, envelope: QueueRun.envelope("a@example.net", ["you@example.org"]))
        }
    }

    @Test func imageOnlySpamIsRefusedByItsWords() throws {
        let rig = try Rig()
        let cases: [(String, Data)] = [
            ("clean PNG", try rig.text("CHEAP MEDS NOW", "clean.png")),
            ("noisy background", try rig.image("noisy.png", ["-size", "760x150", "xc:white", "-attenuate", "0.4", "+noise", "Gaussian",
                                                         "-font", "DejaVu-Sans", "-pointsize", "56", "-fill", "black", "-annotate", "+20+95", "CHEAP MEDS NOW"])),
            ("rotated, low contrast JPEG", try rig.image("rotated.jpg", ["-size", "760x150", "xc:#d8d8d8", "-font", "DejaVu-Sans", "-pointsize", "56",
                                                                         "-fill", "#555555", "-annotate", "+20+95", "CHEAP MEDS NOW", "-rotate", "4"])),
        ]
        for (name, data) in cases {
            let r = try rig.run(rig.message([(data, "offer.png")]))
            #expect(r.status == 31 && r.stderr.contains("rule=keyword") && r.stderr.contains("ocr=\"1 read\""), "\(name): \(r.stderr)")
        }
    }

    @Test func anAnimatedGIFIsReadByItsFirstFrame() throws {
        let rig = try Rig()
        _ = try rig.text("CHEAP MEDS NOW", "f1.png")
        _ = try rig.text("nothing to see", "f2.png")
        let gif = try rig.image("anim.gif", ["-delay", "50", rig.dir + "/f1.png", rig.dir + "/f2.png", "-loop", "0"])
        let r = try rig.run(rig.message([(gif, "anim.gif")]))
        #expect(r.status == 31 && r.stderr.contains("rule=keyword"), "\(r.stderr)")
    }

    @Test func aPhotographWithoutTextAndHamImagesPass() throws {
        let rig = try Rig()
        let photo = try rig.image("photo.jpg", ["-size", "400x300", "plasma:fractal"])
        let ham = try rig.text("Quarterly report", "ham.png")
        let r = try rig.run(rig.message([(photo, "holiday.jpg"), (ham, "chart.png")]))
        #expect(r.status == 0 && r.stderr.contains("ocr=\"2 read\""), "\(r.stderr)")
        // OCR off (no file): the same spam image passes, nothing is read.
        try FileManager.default.removeItem(atPath: rig.root.path + "/control/qsentry/ocr")
        let off = try rig.run(rig.message([(try rig.text("CHEAP MEDS NOW", "off.png"), "offer.png")]))
        #expect(off.status == 0 && !off.stderr.contains("ocr="), "\(off.stderr)")
    }

    /// A PNG whose header says 50,000 × 50,000: sized from the header and skipped, never decoded.
    @Test func thePixelBombIsSkippedBeforeDecoding() throws {
        let rig = try Rig()
        let r = try rig.run(rig.message([(Self.pixelBomb(width: 50_000, height: 50_000), "bomb.png")]))
        #expect(r.status == 0 && r.stderr.contains("skipped: 50000x50000 pixels, more than 25000000"), "\(r.stderr)")
    }

    /// Broken images of each format: a log field, the message accepted, no crash.
    @Test func corruptImagesOfEachFormatAreSkipped() throws {
        let rig = try Rig(ocr: "images=10\n")
        var images: [(Data, String)] = []
        for ext in ["png", "jpg", "gif", "bmp", "tif", "webp"] {
            let good = try rig.text("CHEAP MEDS NOW", "whole.\(ext)")
            images.append((good.prefix(good.count / 3), "broken.\(ext)"))
        }
        images.append((Data("not an image at all".utf8), "fake.png"))
        let r = try rig.run(rig.message(images))
        #expect(r.status == 0 || r.status == 31, "\(r.stderr)")
        #expect(r.stderr.contains("ocr=") && !r.stderr.contains("signal"), "\(r.stderr)")
    }

    @Test func limitsOnCountBytesAndTime() throws {
        let rig = try Rig(ocr: "images=2\nbytes=20000\nseconds=1\n")
        let small = try rig.text("nothing here", "small.png")
        let big = try rig.image("big.png", ["-size", "1500x1500", "xc:white", "+noise", "Random"])  // far over 20,000 bytes
        let r = try rig.run(rig.message([(small, "a.png"), (big, "b.png"), (small, "c.png"), (small, "d.png")]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("image of more than 20000 bytes") && r.stderr.contains("more than 2 images"), "\(r.stderr)")
        // The time budget: many large noisy images, one second.
        let budget = try Rig(ocr: "images=20\nbytes=60000000\nseconds=1\n")
        let noisy = try budget.image("n.png", ["-size", "1200x1200", "xc:white", "+noise", "Random"])
        let start = Date()
        let slow = try budget.run(budget.message(Array(repeating: (noisy, "n.png"), count: 4)))
        #expect(slow.status == 0 && slow.stderr.contains("time budget of 1000 ms spent"), "\(slow.stderr)")
        #expect(Date().timeIntervalSince(start) < 30, "the budget bounds the message")
    }

    @Test func explainShowsTheTextReadFromEachImage() throws {
        let rig = try Rig()
        try rig.root.write("control/rcpthosts", "example.org\n")
        let file = try rig.root.write("run/image.eml", rig.message([(try rig.text("CHEAP MEDS NOW", "e.png"), "offer.png")]))
        let r = try Run.command(Run.program("qsentry"), ["explain", "--ip", "192.0.2.10", "--from", "a@example.net", "--to", "you@example.org", file],
                                environment: rig.root.environment())
        #expect(r.stdout.contains("ocr image 1") && r.stdout.contains("CHEAP MEDS NOW"), "\(r.output)")
        #expect(r.stdout.contains("keyword"), "\(r.output)")
    }

    @Test func checkLintsTheOCRFile() throws {
        let rig = try Rig(ocr: "pixels=5\nlanguages=eng;rm\n")
        let r = try Run.command(Run.program("qsentry"), ["check", "--no-probes"], environment: rig.root.environment())
        #expect(r.status != 0 && r.output.contains("ocr") && r.output.contains("pixels"), "\(r.output)")
    }

    /// A PNG signature and an IHDR chunk claiming `width` × `height`, with a valid CRC, and nothing else.
    static func pixelBomb(width: UInt32, height: UInt32) -> Data {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }
        let ihdr: [UInt8] = Array("IHDR".utf8) + be(width) + be(height) + [8, 2, 0, 0, 0]
        var crc: UInt32 = 0xFFFF_FFFF
        for b in ihdr {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + ihdr + be(~crc)
            + be(0) + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
        return Data(png)
    }
}
