import Testing
@testable import QSentryCore

@Suite struct ControlFileTests {
    @Test func qmailRulesCommentsBlanksTrailingSpaceAndCR() throws {
        let lines = try ControlFile.parse(Array("# comment\n\nfirst  \r\n  second\t\n#x\nthird".utf8), path: "f")
        #expect(lines == [ControlLine(number: 3, text: "first"), ControlLine(number: 4, text: "  second"),
                          ControlLine(number: 6, text: "third")])
    }

    @Test func missingFileMeansDefault() throws {
        let d = TempDir()
        #expect(try ControlFile.lines(d.path + "/nope") == nil)
        #expect(try ControlFile.integer(d.path + "/nope", default: 7) == 7)
    }

    @Test func nulByteNamesTheLine() {
        #expect(throws: ControlError(path: "f", line: 2, "NUL byte in line")) {
            try ControlFile.parse([0x61, 0x0a, 0x62, 0x00, 0x63], path: "f")
        }
    }

    @Test func overlongLineIsAnError() {
        let long = Array(repeating: UInt8(ascii: "a"), count: ControlFile.maxLineBytes + 1)
        #expect(throws: ControlError(path: "f", line: 1, "line longer than \(ControlFile.maxLineBytes) bytes")) {
            try ControlFile.parse(long, path: "f")
        }
    }

    @Test func directoryIsUnreadableNotMissing() throws {
        let d = TempDir()
        let error = #expect(throws: ControlError.self) { try ControlFile.lines(d.path) }
        #expect(error?.path == d.path)
        #expect(error?.description.contains("Is a directory") == true)
    }

    @Test func unreadableFileIsAnErrorNotDefault() throws {
        // Only meaningful when not running as root (root reads anything).
        let d = TempDir()
        let p = d.write("locked", "x\n")
        chmod(p, 0)
        defer { chmod(p, 0o644) }
        if getuid() != 0 {
            #expect(throws: ControlError.self) { try ControlFile.lines(p) }
        } else {
            #expect(try ControlFile.lines(p)?.count == 1)
        }
    }

    @Test func integerSettingValidates() throws {
        let d = TempDir()
        let p = d.write("databytes", "2000000\n")
        #expect(try ControlFile.integer(p, default: 0) == 2000000)
        let bad = d.write("threshold", "lots\n")
        let e = #expect(throws: ControlError.self) { try ControlFile.integer(bad, default: 1, range: 1...10) }
        #expect(e?.line == 1)
        let out = d.write("range", "11\n")
        #expect(throws: ControlError.self) { try ControlFile.integer(out, default: 1, range: 1...10) }
    }

    @Test func qmailRootFromEnvironmentAndPaths() {
        let r = QmailRoot(path: "/tmp/q/")
        #expect(r.path == "/tmp/q")
        #expect(r.control("rcpthosts") == "/tmp/q/control/rcpthosts")
        #expect(r.qsentry("dnsbl") == "/tmp/q/control/qsentry/dnsbl")
        #expect(r.file("users/cdb") == "/tmp/q/users/cdb")
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Durations in control files (bans, reputation).
@Suite struct SettingSyntaxTests {
    @Test func durations() {
        #expect(SettingSyntax.seconds("90s") == 90 && SettingSyntax.seconds("10m") == 600 && SettingSyntax.seconds("2d") == 172_800)
        #expect(SettingSyntax.seconds("15") == 900)
        #expect(SettingSyntax.seconds("-1h") == nil && SettingSyntax.seconds("h") == nil)
        // Found by the control fuzz target: a number too large to count in seconds trapped.
        #expect(SettingSyntax.seconds("99999999999999999d") == nil)
        #expect(SettingSyntax.seconds("9223372036854775807") == nil)
    }
}

