import Foundation
import Testing
@testable import QSentryAdmin
import QSentryCore

@Suite struct ControlLintTests {
    final class Root {
        let path = NSTemporaryDirectory() + "qsentry-lint-" + UUID().uuidString
        init() { try! FileManager.default.createDirectory(atPath: path + "/control/qsentry", withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func write(_ rel: String, _ text: String) {
            _ = FileManager.default.createFile(atPath: path + "/" + rel, contents: Data(text.utf8))
        }
        func lint() -> [String] { ControlLint(root: QmailRoot(path: path)).run().map(\.description) }
    }

    @Test func cleanTreeHasNoProblems() {
        let r = Root()
        r.write("control/rcpthosts", "example.com\n.example.net\n")
        r.write("control/badmailfrom", "@spam.example\nbad@example.org\n")
        r.write("control/databytes", "10000000\n")
        r.write("control/qsentry/ipblock", "# comment\n192.0.2.0\n10.0.0.0/8\n2001:db8::/32\n")
        r.write("control/qsentry/dnsbl", "zen.example=127.0.0.[2..11]*2 Listed\nbl.example\n")
        r.write("control/qsentry/dnsbl-threshold", "2\n")
        r.write("control/qsentry/spf", "fail=refuse\nsoftfail=tag\n")
        r.write("control/qsentry/countries", "CN RU\nkp\n")
        r.write("control/qsentry/dnsservers", "127.0.0.1:5353\n[::1]:53\n192.0.2.53\n")
        r.write("control/qsentry/store", "redis://127.0.0.1:6379/0\n")
        r.write("control/virtualdomains", "example.org:alice\nbob@example.net:bob\n")
        #expect(r.lint() == [])
    }

    @Test func eachKindOfBrokenFileIsCaught() {
        let r = Root()
        r.write("control/rcpthosts", "user@example.com\n")
        r.write("control/badmailfrom", "nodomain\n")
        r.write("control/databytes", "ten\n")
        r.write("control/qsentry/ipblock", "192.0.2.300\n10.0.0.0/40\n")
        r.write("control/qsentry/dnsbl", "zen.example=127.0.0\n")
        r.write("control/qsentry/dnsbl-threshold", "1\n2\n")
        r.write("control/qsentry/spf", "fial=refuse\npass=reject\nnoequals\n")
        r.write("control/qsentry/countries", "CHN\n")
        r.write("control/qsentry/dnsservers", "127.0.0.1:99999\nresolver.example\n")
        r.write("control/qsentry/store", "mysql://x\n")
        r.write("control/qsentry/geoip", "/nonexistent/GeoLite2-Country.mmdb\n")
        r.write("control/qsentry/clamd", "localhost\n")
        r.write("control/virtualdomains", "example.org\n")
        r.write("control/qsentry/dnsbl-treshold", "1\n")
        r.write("control/qsentry/validrcptto.cdb", "not a cdb")
        let p = r.lint()
        let expectations = [
            "control/rcpthosts:1: \"user@example.com\" is an address",
            "control/badmailfrom:1: \"nodomain\" has no @",
            "control/databytes:1: expected a whole number",
            "control/qsentry/ipblock:1: not an IP address",
            "control/qsentry/ipblock:2: bad prefix length",
            "control/qsentry/dnsbl:1: bad filter",
            "control/qsentry/dnsbl-threshold:2: only the first line is read",
            "control/qsentry/spf:1: unknown key \"fial\"",
            "control/qsentry/spf:2: pass: \"reject\" is not one of",
            "control/qsentry/spf:3: expected key=value",
            "control/qsentry/countries:1: \"CHN\" is not a two-letter",
            "control/qsentry/dnsservers:1: bad port",
            "control/qsentry/dnsservers:2: \"resolver.example\" is not IP",
            "control/qsentry/store:1: mysql://x: not a redis://, unix:// or sentinel:// URL",
            "control/qsentry/geoip:1: /nonexistent/GeoLite2-Country.mmdb does not exist",
            "control/qsentry/clamd:1: \"localhost\" is neither",
            "control/virtualdomains:1: expected domain:prefix",
            "control/qsentry/dnsbl-treshold: unknown control file; did you mean dnsbl-threshold?",
            "control/qsentry/validrcptto.cdb: truncated or not a cdb",
        ]
        for e in expectations {
            #expect(p.contains { $0.contains(r.path + "/" + e) }, "\(e)")
        }
        #expect(p.count == expectations.count, "\(p)")
    }

    @Test func unreadableFileIsAProblem() throws {
        let r = Root()
        try FileManager.default.createDirectory(atPath: r.path + "/control/qsentry/ipallow", withIntermediateDirectories: true)
        #expect(r.lint().contains { $0.contains("ipallow: cannot read") })
    }

    @Test func missingRootIsClean() {
        #expect(ControlLint(root: QmailRoot(path: "/nonexistent-qmail")).run().isEmpty)
    }
}

/// The example control files install.sh copies: one per qsentry control file, inert as shipped,
/// and every example line valid once uncommented.
@Suite struct ExampleControlFileTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../qmail-control-examples/control/qsentry").standardized.path

    @Test func oneExamplePerCatalogEntry() throws {
        let shipped = Set(try FileManager.default.contentsOfDirectory(atPath: Self.examples))
        let catalog = Set(Catalog.files.filter { $0.location == .qsentry && !$0.name.hasSuffix(".cdb") && !$0.isDirectory }.map(\.name))
        #expect(shipped == catalog)
    }

    @Test func examplesAreInertAsShipped() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.examples) {
            #expect(try ControlFile.lines(Self.examples + "/" + name) == [], "\(name) has an active line")
        }
    }

    @Test func everyExampleLineIsValidUncommented() throws {
        let r = ControlLintTests.Root()
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.examples) {
            let text = try String(contentsOfFile: Self.examples + "/" + name, encoding: .utf8)
            var lines = text.split(separator: "\n").filter { $0.hasPrefix("#") && !$0.hasPrefix("# ") && $0 != "#" }
                .map { String($0.dropFirst()) }
            // A one-value setting reads its first line only.
            if case .integer = Catalog.spec(named: name, location: .qsentry)!.kind { lines = Array(lines.prefix(1)) }
            r.write("control/qsentry/" + name, lines.joined(separator: "\n") + "\n")
        }
        // The Redis password closed to others (install.sh's 0640 is for the qsentry group, which a
        // test run's own group need not be: SecretFile).
        chmod(r.path + "/control/qsentry/store-auth", 0o600)
        // Paths and sockets name things this machine need not have; everything else must lint clean.
        let problems = r.lint().filter { !$0.contains("does not exist") }
        #expect(problems == [])
        chmod(r.path + "/control/qsentry/store-auth", 0o644)
        #expect(r.lint().contains { $0.contains("store-auth") && $0.contains("open to every user") }, "\(r.lint())")
    }
}

/// qsentry-control(5) describes every file the catalog knows.
@Suite struct ControlManPageTests {
    @Test func everyCatalogFileIsInTheManPage() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../man/qsentry-control.5").standardized.path
        // Every word set in bold (.B and .BR lines): where the page names a file.
        let bold = Set(try String(contentsOfFile: page, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix(".B ") || $0.hasPrefix(".BR ") }
            .flatMap { $0.dropFirst($0.hasPrefix(".B ") ? 3 : 4).replacingOccurrences(of: "\\-", with: "-").split(separator: " ") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\",;")) })
        for spec in Catalog.files {
            #expect(bold.contains(spec.name), "\(spec.name) is not in qsentry-control(5)")
        }
    }
}


/// Issue 18: the catalogue is assembled from the rules that read the files.
@Suite struct CatalogAssemblyTests {
    @Test func everyFileOnceAndSenderRulesFromTheRules() throws {
        var seen = Set<String>()
        for spec in Catalog.files {
            #expect(seen.insert("\(spec.location):\(spec.name)").inserted, "\(spec.name) twice")
        }
        let senderRules = try #require(Catalog.spec(named: "sender-rules", location: .qsentry))
        guard case .keyValue(let keys) = senderRules.kind else { Issue.record("\(senderRules.kind)"); return }
        #expect(Set(keys.keys) == ["empty-sender", "from-equals-to", "same-domain", "sender-mx"])
        #expect(Catalog.spec(named: "spf", location: .qsentry) != nil && Catalog.spec(named: "greetdelay", location: .qsentry) != nil)
    }
}
