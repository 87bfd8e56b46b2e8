import Foundation
import Testing
@testable import QSentryAdmin
import QSentryCore

@Suite struct ListCompilerTests {
    @Test func aListWithABadLineIsNotCompiled() throws {
        let r = ControlLintTests.Root()
        r.write("control/qsentry/ipblock", "192.0.2.7\n192.0.2.300\n")
        let path = r.path + "/control/qsentry/ipblock"
        #expect(throws: ListCompiler.Failure.self) { try ListCompiler.compile(path, as: .ip) }
        #expect(!FileBytes.exists(path + ".cdb"))
    }

    @Test func checkReportsAStaleCompiledList() throws {
        let r = ControlLintTests.Root()
        r.write("control/qsentry/honeypots", "trap@example.com\n")
        let path = r.path + "/control/qsentry/honeypots"
        #expect(try ListCompiler.compile(path, as: .address) == 1)
        #expect(r.lint() == [])
        var times = [timespec(tv_sec: time(nil) + 5, tv_nsec: 0), timespec(tv_sec: time(nil) + 5, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
        #expect(r.lint().contains { $0.contains("honeypots.cdb: older than honeypots") && $0.contains("qsentry cdb honeypots") })
        // A damaged cdb is reported too.
        r.write("control/qsentry/honeypots.cdb", "not a cdb")
        #expect(r.lint().contains { $0.contains("honeypots.cdb") && $0.contains("rebuild") })
    }
}
