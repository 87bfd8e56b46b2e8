import Testing
@testable import QSentryCore

@Suite struct CDBTests {
    @Test func writeThenRead() throws {
        let d = TempDir()
        let p = d.path + "/t.cdb"
        let w = try CDBWriter(path: p)
        try w.add("alice", "1")
        try w.add("bob", "2")
        try w.add("bob", "3")
        try w.add(Array("bin\u{0}key".utf8), [0, 1, 2])
        try w.finish()
        let db = try CDB(path: p)
        #expect(try db.find("alice") == Array("1".utf8))
        #expect(try db.find("carol") == nil)
        #expect(try db.findAll(Array("bob".utf8)) == [Array("2".utf8), Array("3".utf8)])
        #expect(try db.find(Array("bin\u{0}key".utf8)) == [0, 1, 2])
        #expect(try db.records().count == 4)
        #expect(!FileBytes.exists(p + ".tmp.\(getpid())"))
    }

    @Test func emptyDatabase() throws {
        let d = TempDir()
        let p = d.path + "/e.cdb"
        try CDBWriter(path: p).finish()
        #expect(try CDB(path: p).find("x") == nil)
    }

    @Test func missingIsNotFound() {
        let e = #expect(throws: CDBError.self) { try CDB(path: "/nonexistent/x.cdb") }
        #expect(e?.kind == .notFound)
    }

    @Test func truncatedIsCorrupt() throws {
        let d = TempDir()
        let p = d.path + "/t.cdb"
        let w = try CDBWriter(path: p)
        for i in 0..<100 { try w.add("key\(i)", "value\(i)") }
        try w.finish()
        let bytes = try FileBytes.read(p, limit: 1 << 20)
        // Shorter than the header.
        let short = d.write("short.cdb", bytes: Array(bytes[0..<1000]))
        #expect((#expect(throws: CDBError.self) { try CDB(path: short) })?.kind == .corrupt)
        // Header intact, hash tables cut off.
        let cut = d.write("cut.cdb", bytes: Array(bytes[0..<(bytes.count - 200)]))
        #expect((#expect(throws: CDBError.self) { try CDB(path: cut) })?.kind == .corrupt)
    }

    @Test func garbageIsCorruptNotEmpty() throws {
        let d = TempDir()
        var junk = [UInt8](repeating: 0xff, count: 4096)
        junk[0] = 0x10
        let p = d.write("junk.cdb", bytes: junk)
        #expect((#expect(throws: CDBError.self) { try CDB(path: p) })?.kind == .corrupt)
    }
}

#if canImport(Glibc)
import Glibc
#endif
