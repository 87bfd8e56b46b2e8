import Testing
@testable import QSentryCore

@Suite struct DomainListTests {
    func list(_ text: String) throws -> DomainList {
        DomainList(lines: try ControlFile.parse(Array(text.utf8), path: "rcpthosts"), path: "rcpthosts")
    }

    @Test func exactAndCaseInsensitiveAndTrailingDot() throws {
        let l = try list("Example.COM\n")
        #expect(try l.match("example.com")?.line == 1)
        #expect(try l.match("EXAMPLE.com.")?.line == 1)
        #expect(try l.match("sub.example.com") == nil)
        #expect(try l.match("example.org") == nil)
    }

    @Test func leadingDotMatchesSubdomainsOnly() throws {
        let l = try list(".example.com\n")
        #expect(try l.match("a.b.example.com")?.entry == ".example.com")
        #expect(try l.match("example.com") == nil)
        #expect(try l.match("badexample.com") == nil)
    }

    @Test func idnaLeftAsIs() throws {
        let l = try list("bücher.example\n")
        #expect(try l.match("bücher.example") != nil)
        #expect(try l.match("BÜCHER.example") == nil)
    }

    @Test func badEntries() throws {
        let l = try list("user@example.com\nbad_domain!.com\na..b\nok.example\n")
        #expect(l.problems.map(\.line) == [1, 2, 3])
        #expect(try l.match("ok.example")?.line == 4)
    }
}

@Suite struct AddressListTests {
    func list(_ text: String) throws -> AddressList {
        AddressList(lines: try ControlFile.parse(Array(text.utf8), path: "badmailfrom"), path: "badmailfrom")
    }

    @Test func fullAddressCaseInsensitiveLikeQmail() throws {
        let l = try list("Spammer@Example.com\n")
        #expect(try l.match("spammer@example.com")?.line == 1)
        #expect(try l.match("SPAMMER@EXAMPLE.COM.")?.line == 1)
        #expect(try l.match("other@example.com") == nil)
    }

    @Test func atDomainCoversTheDomainOnly() throws {
        let l = try list("@spam.example\n")
        #expect(try l.match("anyone@SPAM.example")?.entry == "@spam.example")
        #expect(try l.match("anyone@sub.spam.example") == nil)
    }

    @Test func fullAddressBeforeDomain() throws {
        let l = try list("@example.com\nboss@example.com\n")
        #expect(try l.match("boss@example.com")?.line == 2)
        #expect(try l.match("x@example.com")?.line == 1)
    }

    @Test func nullSender() throws {
        let l = try list("<>\n")
        #expect(try l.match("")?.line == 1)
        #expect(try self.list("@x.example\n").match("") == nil)
    }

    @Test func lastAtSplitsDomain() throws {
        let l = try list("@local.example\n")
        #expect(try l.match("user@other@local.example") != nil)
    }

    @Test func badEntries() throws {
        let l = try list("nodomain\nuser@\nwith space@x.example\nok@x.example\n")
        #expect(l.problems.map(\.line) == [1, 2, 3])
        #expect(try l.match("ok@x.example") != nil)
    }
}
