import Foundation
import Testing
@testable import QSentryCore

/// LIST.cdb (qsentry cdb) answers exactly as LIST does, and is read only while it is at least as new.
@Suite struct CompiledListTests {
    func lines(_ text: String) throws -> [ControlLine] { try ControlFile.parse(Array(text.utf8), path: "test") }

    /// Sets `path`'s modification time `seconds` from now.
    func touch(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: time(nil) + seconds, tv_nsec: 0), timespec(tv_sec: time(nil) + seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    @Test func ipListAnswersAsTheText() throws {
        let dir = TempDir()
        let text = "192.0.2.7\n10.0.0.0/8\n10.1.0.0/16\n2001:db8::/32\n198.51.100.128/25\n0.0.0.0/0\n"
        let path = dir.write("ipblock", "")
        let memory = IPList(lines: try lines(text), path: path)
        let (entries, meta) = memory.compiledEntries
        try CompiledList.write(entries, meta: meta, to: path + ".cdb")
        let compiled = try IPList.load(path)
        #expect(!compiled.isEmpty)
        for ip in ["192.0.2.7", "192.0.2.8", "10.1.2.3", "10.2.0.1", "2001:db8::1", "2001:db9::1", "198.51.100.200", "8.8.8.8"] {
            let a = IPAddress(ip)!
            #expect((try compiled.match(a) == nil) == (try memory.match(a) == nil), "\(ip)")
        }
        // The narrowest block names the line: 10.1.2.3 is in 10.1.0.0/16 (line 3) and 10.0.0.0/8.
        #expect(try compiled.match(IPAddress("10.1.2.3")!) == ListMatch(line: 3, entry: "10.1.0.0/16"))
        #expect(try compiled.match(IPAddress("2001:db9::1")!) == nil)  // 0.0.0.0/0 is IPv4 only
    }

    @Test func addressAndDomainListsAnswerAsTheText() throws {
        let dir = TempDir()
        let text = "spammer@example.com\n@bad.example\n<>\nMixed@Case.Example.\n"
        let path = dir.write("mailfromblock", "")
        let memory = AddressList(lines: try lines(text), path: path)
        try CompiledList.write(memory.compiledEntries, to: path + ".cdb")
        let compiled = try AddressList.load(path)
        for a in ["spammer@example.com", "SPAMMER@EXAMPLE.COM.", "other@example.com", "x@bad.example", "x@sub.bad.example",
                  "", "mixed@case.example", "nobody"] {
            #expect(try compiled.match(a) == memory.match(a), "\(a)")
        }
        #expect(try compiled.match("x@bad.example") == ListMatch(line: 2, entry: "@bad.example"))

        let dpath = dir.write("rcpthosts", "")
        let domains = DomainList(lines: try lines("example.com\n.example.net\nExample.ORG.\n"), path: dpath)
        try CompiledList.write(domains.compiledEntries, to: dpath + ".cdb")
        let cd = try DomainList.load(dpath)
        for d in ["example.com", "sub.example.com", "example.net", "a.b.example.net", "EXAMPLE.org", "org"] {
            #expect(try cd.match(d) == domains.match(d), "\(d)")
        }
    }

    @Test func aNewerTextListWins() throws {
        let dir = TempDir()
        let path = dir.write("ipblock", "192.0.2.7\n")
        try CompiledList.write(IPList(lines: try lines("192.0.2.7\n"), path: path).compiledEntries.entries,
                               meta: [("l4", "32"), ("l6", "")], to: path + ".cdb")
        #expect(CompiledList.isPreferred(for: path))
        dir.write("ipblock", "192.0.2.8\n")
        touch(path, 5)  // edited after compiling, not compiled again
        #expect(!CompiledList.isPreferred(for: path))
        #expect(try IPList.load(path).match(IPAddress("192.0.2.8")!) != nil)
        #expect(try IPList.load(path).match(IPAddress("192.0.2.7")!) == nil)
        // The text gone, the cdb is the list.
        try FileManager.default.removeItem(atPath: path)
        #expect(try IPList.load(path).match(IPAddress("192.0.2.7")!) != nil)
    }

    @Test func anEmptyCompiledListIsEmpty() throws {
        let dir = TempDir()
        let path = dir.path + "/rcptallow"
        try CompiledList.write([], to: path + ".cdb")
        #expect(try AddressList.load(path).isEmpty)
    }

    @Test func aDamagedRecordThrowsNotMisses() throws {
        let dir = TempDir()
        let path = dir.path + "/rcptblock"
        let w = try CDBWriter(path: path + ".cdb")
        try w.add("aa@example.com", "no tab here")
        try w.finish()
        #expect(throws: CDBError.self) { try AddressList.load(path).match("a@example.com") }
    }
}
