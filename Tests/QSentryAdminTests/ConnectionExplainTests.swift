import Foundation
import Testing
import QSentryAdmin
import QSentryCore

/// C9 in `qsentry explain`: RBLSMTPD as tcprules sets it, decided by qsentry-conn's own
/// ConnectionProgram (issue 18: explain calls the program's type, not a copy of it).
@Suite struct ConnectionExplainTests {
    func explain(rblsmtpd: String?) throws -> Explanation.Layer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qsentry-explain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/control/qsentry", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "192.0.2.0/24\n".write(toFile: dir + "/control/qsentry/ipblock", atomically: true, encoding: .utf8)
        var e = Explainer(root: QmailRoot(path: dir), ip: "192.0.2.7")
        e.from = "a@example.org"
        e.to = ["b@example.com"]
        e.rblsmtpd = rblsmtpd
        return try #require(try e.run().layers.first)
    }

    @Test func permanentRBLSMTPDRefusesWith553() throws {
        let layer = try explain(rblsmtpd: "-Go away")
        #expect(layer.verdict == "refuse")
        #expect(layer.reply == "553 5.7.1 Go away")
    }

    @Test func textRBLSMTPDDefersWith451() throws {
        let layer = try explain(rblsmtpd: "Later")
        #expect(layer.verdict == "defer")
        #expect(layer.reply == "451 4.7.1 Later")
    }

    @Test func emptyRBLSMTPDSkipsEveryRuleEvenABlockedAddress() throws {
        let layer = try explain(rblsmtpd: "")
        #expect(layer.verdict == "accept")
        #expect(layer.steps.first?.rule == "RBLSMTPD")
        #expect(try explain(rblsmtpd: nil).verdict == "refuse")  // the same client without it: ipblock
    }
}
