import Foundation
import Testing
import TestHarness

/// M7 at delivery, for installs without QMAILQUEUE: qsentry-local reads the images too (for Bayes).
@Suite struct LocalOCRTests {
    typealias Home = LocalDeliveryTests.Home

    @Test func imagesAreReadWhenOCRIsOn() throws {
        let h = try Home()
        let png = h.root.runDirectory + "/t.png"
        let made = try Run.command("convert", ["-size", "760x150", "xc:white", "-font", "DejaVu-Sans", "-pointsize", "56",
                                               "-fill", "black", "-annotate", "+20+95", "CHEAP MEDS NOW", png])
        #expect(made.status == 0, "\(made.output)")
        let data = try Data(contentsOf: URL(fileURLWithPath: png)).base64EncodedString(options: .lineLength76Characters)
        let message = "From: a@example.org\nTo: joe@example.com\nSubject: hi\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\n\(data)\n"
        let off = try h.deliver(message)
        #expect(off.status == 99 && !off.stderr.contains("ocr-bytes="), "\(off.stderr)")
        try h.write("control/qsentry/ocr", "images=2\n")
        let on = try h.deliver(message)
        #expect(on.status == 99 && on.stderr.contains("ocr-bytes="), "\(on.stderr)")
    }
}
