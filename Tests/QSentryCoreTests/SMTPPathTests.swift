import Testing
@testable import QSentryCore

@Suite struct SMTPPathTests {
    func parse(_ s: String) throws -> SMTPPath { try SMTPPath.parse(s).get() }

    @Test func plainAndParameters() throws {
        let p = try parse("<User@Example.COM.> SIZE=1000 BODY=8BITMIME")
        #expect(p.mailbox == "User@example.com")
        #expect(p.localPart == "User")
        #expect(p.domain == "example.com")
        #expect(p.parameters == ["SIZE=1000", "BODY=8BITMIME"])
        #expect(!p.hasRoutingTricks)
    }

    @Test func nullPath() throws {
        let p = try parse("<>")
        #expect(p.isNull)
        #expect(try parse(" <> SIZE=5").parameters == ["SIZE=5"])
    }

    @Test func bareAddressLikeQmail() throws {
        let p = try parse("user@example.com")
        #expect(!p.bracketed)
        #expect(p.domain == "example.com")
    }

    @Test func sourceRouteRecognisedAndStripped() throws {
        let p = try parse("<@relay.example,@Other.example:user@local.example>")
        #expect(p.sourceRoute == ["relay.example", "other.example"])
        #expect(p.mailbox == "user@local.example")
        #expect(p.hasRoutingTricks)
    }

    @Test func percentBangAndSeveralAt() throws {
        #expect(try parse("<user%other.example@local.example>").hasPercent)
        #expect(try parse("<other.example!user@local.example>").hasBang)
        let multi = try parse("<user@other.example@local.example>")
        #expect(multi.atSignCount == 2)
        #expect(multi.domain == "local.example")
        #expect(multi.hasRoutingTricks)
    }

    @Test func quotedLocalParts() throws {
        let p = try parse("<\"john smith\"@example.com>")
        #expect(p.localPart == "john smith")
        #expect(p.quotedLocalPart)
        #expect(!p.hasRoutingTricks)
        let at = try parse("<\"user@other.example\"@local.example>")
        #expect(at.hasQuotedAt)
        #expect(at.atSignCount == 1)
        #expect(at.hasRoutingTricks)
        #expect(try parse("<\"a,b:c\"@example.com>").localPart == "a,b:c")
        let esc = try parse("<\"a\\\"b>c\"@example.com>")
        #expect(esc.localPart == "a\"b>c")
    }

    @Test func addressLiteral() throws {
        let p = try parse("<postmaster@[192.0.2.1]>")
        #expect(p.isAddressLiteral)
        #expect(p.domain == "[192.0.2.1]")
    }

    @Test func noDomain() throws {
        let p = try parse("<postmaster>")
        #expect(p.domain == "")
        #expect(p.mailbox == "postmaster")
    }

    @Test func errors() {
        let cases: [(String, SMTPPathError)] = [
            ("<user@example.com", .unbalancedBrackets),
            ("user@example.com>", .unbalancedBrackets),
            ("<user@example.com>x", .textAfterPath),
            ("<us\u{1}er@example.com>", .controlCharacter),
            ("<@relay.example>", .badSourceRoute),
            ("<@relay.example:>", .badSourceRoute),
            ("<relay,@x:user@y>", .invalidLocalPart),
            ("<us(er)@example.com>", .invalidLocalPart),
            ("<\"open@example.com>", .unbalancedBrackets),
            ("<user name@example.com>", .spaceInAddress),
            ("<user@>", .emptyDomain),
            ("<" + String(repeating: "a", count: 600) + "@example.com>", .tooLong),
            (String(repeating: "a", count: 1001), .tooLong),
        ]
        for (input, error) in cases {
            #expect(throws: error, "\(input.prefix(40))") { try SMTPPath.parse(input).get() }
        }
    }
}
