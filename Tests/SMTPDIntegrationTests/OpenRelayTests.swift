import Foundation
import Testing
import TestHarness

/// The open-relay battery: classic tricks to get mail for another domain (victim.example)
/// accepted through a server whose only domain is example.com. From an ordinary client every
/// one is refused at RCPT; a relay client (RELAYCLIENT) and an authenticated user may relay.
@Suite struct OpenRelayTests {
    static let tricks = [
        "user@victim.example",
        "user%victim.example@example.com",
        "\"user@victim.example\"@example.com",
        "\"user%victim.example\"@example.com",
        "user@victim.example@example.com",
        "user@example.com@victim.example",
        "@example.com:user@victim.example",
        "@example.com,@example.com:user@victim.example",
        "victim.example!user@example.com",
        "user!victim.example@example.com",
        "user@[127.0.0.1]",
        "user@[192.0.2.1]",
        "user@[IPv6:::1]",
        "user%victim.example@[127.0.0.1]",
        "user@victim.example.",
        "user@VICTIM.EXAMPLE",
        "user@example.com.victim.example",
        "user@victim.example%example.com",
        "user@localhost",
        "user%victim.example",
        "user@victim.example (example.com)",
        "<user@victim.example>",
    ]

    func rcpt(_ rig: SMTPDRig, _ address: String, from: String = "127.0.0.1") throws -> String {
        let t = try RawClient.session(rig.server.address, ["EHLO client.example.org", "MAIL FROM:<a@example.org>",
                                                           "RCPT TO:<\(address)>", "QUIT"], from: from)
        // The reply to RCPT: the line after "C: RCPT".
        let lines = t.split(separator: "\n").map(String.init)
        guard let i = lines.firstIndex(where: { $0.hasPrefix("C: RCPT") }), i + 1 < lines.count else { return t }
        return lines[i + 1]
    }

    @Test func everyTrickIsRefusedFromAnOrdinaryClient() throws {
        let rig = try SMTPDRig()
        #expect(Self.tricks.count >= 20)
        for trick in Self.tricks {
            let reply = try rcpt(rig, trick)
            #expect(reply.hasPrefix("5"), "\(trick) was answered \(reply)")
        }
        #expect(rig.exim.messages.isEmpty)
        // The ordinary case still works: mail for the local domain is taken.
        #expect(try rcpt(rig, "sales@example.com").hasPrefix("250"))
    }

    @Test func aRelayClientMayRelay() throws {
        let rig = try SMTPDRig(rules: "127.0.0.5:allow,RELAYCLIENT=\"\"\n:allow\n")
        // (Domain literals are left out: the exim behind refuses them itself, 501.) Authenticated users
        // relay too: SMTPDAuthTests.authenticatedClientsRelayThroughTheServerBehind.
        for trick in ["user@victim.example", "user@VICTIM.EXAMPLE", "user@victim.example.", "user@example.com.victim.example"] {
            let reply = try rcpt(rig, trick, from: "127.0.0.5")
            #expect(reply.hasPrefix("250"), "\(trick) was answered \(reply)")
        }
    }
}
