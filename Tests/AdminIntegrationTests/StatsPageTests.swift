import Foundation
import Testing
import TestHarness

/// A5: `qsentry stats` on a log file and a multilog directory, and its HTML page rendered by a
/// real headless Chromium (the screenshot is kept under .build/test-artifacts/).
@Suite struct StatsPageTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardized.path

    static func log(_ start: Int, lines: Int) -> String {
        var out = ""
        for i in 0..<lines {
            let label = String(format: "@%016llx%08x", UInt64(start + i * 97 + 10) + (1 << 62), 0)
            let ip = "192.0.2.\(i % 7)"
            switch i % 5 {
            case 0: out += "\(label) qsentry-conn: pid=\(i) ip=\(ip) country=DE verdict=refuse rule=dnsbl text=listed\n"
            case 1: out += "\(label) qsentry-conn: pid=\(i) ip=\(ip) country=FR verdict=accept\n"
            case 2: out += "\(label) qsentry-smtpd: pid=\(i) ip=\(ip) from=a@example.org to=x@example.com verdict=refuse rule=unknown-recipient code=550\n"
            case 3: out += "\(label) qsentry-queue: pid=\(i) ip=\(ip) verdict=refuse rule=virus\n"
            default: out += "\(label) qsentry-local: pid=\(i) user=joe verdict=spam\n"
            }
        }
        return out
    }

    @Test func multilogDirectoryToTextAndAPageChromiumRenders() throws {
        let root = try TempQmailRoot()
        let start = 1_795_946_400
        try root.write("log/@400000006929c5aa00000000.s", Self.log(start, lines: 200))
        try root.write("log/current", Self.log(start + 200 * 97, lines: 100))
        let page = root.path + "/stats.html"
        let r = try Run.command(Run.program("qsentry"), ["stats", "--html", page, root.path + "/log"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.stdout.contains("qsentry stats: 300 lines"), "\(r.output)")
        #expect(r.stdout.contains("\nconnection                120         60          0          0         60\n"), "\(r.output)")

        // The page parses and renders: Chromium's DOM holds the charts, and its screenshot is not blank.
        let chromium = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,1600"]
        let dom = try Run.command("chromium", chromium + ["--dump-dom", "file://" + page], timeout: 120)
        #expect(dom.status == 0, "\(dom.stderr)")
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 == 5, "\(dom.stdout.prefix(2000))")
        #expect(dom.stdout.contains("connection dnsbl"))
        let artifacts = Self.repository + "/.build/test-artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let shot = artifacts + "/qsentry-stats.png"
        try? FileManager.default.removeItem(atPath: shot)
        let s = try Run.command("chromium", chromium + ["--screenshot=" + shot, "file://" + page], timeout: 120)
        #expect(s.status == 0, "\(s.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 20_000, "a blank page compresses to a few KB; got \(png.count) bytes")
    }

    @Test func standardInputAndABadPeriod() throws {
        let r = try Run.command(Run.program("qsentry"), ["stats", "--since", "2026-11-29"], stdin: Data(Self.log(1_795_946_400, lines: 10).utf8))
        #expect(r.status == 0 && r.stdout.contains("qsentry stats: 10 lines"), "\(r.output)")
        let bad = try Run.command(Run.program("qsentry"), ["stats", "--since", "last tuesday"])
        #expect(bad.status != 0 && bad.output.contains("not a time"), "\(bad.output)")
    }
}
