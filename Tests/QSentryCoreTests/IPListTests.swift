import Testing
@testable import QSentryCore

@Suite struct IPListTests {
    func list(_ text: String) throws -> IPList {
        IPList(lines: try ControlFile.parse(Array(text.utf8), path: "ipblock"), path: "ipblock")
    }

    @Test func singleAddressesV4AndV6() throws {
        let l = try list("192.0.2.7\n2001:db8::1\n")
        #expect(try l.match(IPAddress("192.0.2.7")!)?.line == 1)
        #expect(try l.match(IPAddress("192.0.2.8")!) == nil)
        #expect(try l.match(IPAddress("2001:DB8:0:0::1")!)?.line == 2)
        #expect(try l.match(IPAddress("2001:db8::2")!) == nil)
    }

    @Test func trailingZeroIsClassCWildcard() throws {
        let l = try list("192.12.45.0\n")
        #expect(try l.match(IPAddress("192.12.45.1")!)?.entry == "192.12.45.0")
        #expect(try l.match(IPAddress("192.12.45.255")!) != nil)
        #expect(try l.match(IPAddress("192.12.46.1")!) == nil)
    }

    @Test func cidrBothFamilies() throws {
        let l = try list("10.0.0.0/8\n2001:db8::/32\n198.51.100.128/25\n")
        #expect(try l.match(IPAddress("10.255.1.2")!)?.line == 1)
        #expect(try l.match(IPAddress("2001:db8:ffff::9")!)?.line == 2)
        #expect(try l.match(IPAddress("2001:db9::1")!) == nil)
        #expect(try l.match(IPAddress("198.51.100.200")!)?.line == 3)
        #expect(try l.match(IPAddress("198.51.100.127")!) == nil)
    }

    @Test func tcprulesPrefix() throws {
        let l = try list("192.168.\n")
        #expect(try l.match(IPAddress("192.168.200.1")!) != nil)
        #expect(try l.match(IPAddress("192.169.0.1")!) == nil)
    }

    @Test func ipv4MappedIPv6FoldsToIPv4() throws {
        let l = try list("192.0.2.7\n")
        #expect(try l.match(IPAddress("::ffff:192.0.2.7")!)?.line == 1)
        #expect(IPAddress("::ffff:192.0.2.7")!.isIPv4)
    }

    @Test func firstMatchingLineWins() throws {
        let l = try list("10.0.0.0/8\n10.1.2.3\n")
        #expect(try l.match(IPAddress("10.1.2.3")!)?.line == 1)
    }

    @Test func badLinesAreReportedAndSkipped() throws {
        let l = try list("300.1.1.1\n10.0.0.0/33\n192.0.2.5/24\nfoo\n2001:db8::/129\n1.2.3.4/-1\n10.0.0.1\n")
        #expect(l.entries.count == 1)
        #expect(l.problems.map { $0.line } == [1, 2, 3, 4, 5, 6])
        #expect(l.problems[2].message.contains("192.0.2.0/24"))
        #expect(try l.match(IPAddress("10.0.0.1")!)?.line == 7)
    }

    @Test func zeroPrefixMatchesEverythingOfItsFamily() throws {
        let l = try list("0.0.0.0/0\n")
        #expect(try l.match(IPAddress("203.0.113.9")!) != nil)
        #expect(try l.match(IPAddress("2001:db8::1")!) == nil)
    }

    @Test func addressParsingRejectsJunk() throws {
        for bad in ["", "1.2.3", "1.2.3.4.5", "01.2.3.4x", "::g", "1.2.3.4 ", String(repeating: "1", count: 100)] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    /// Found by the control fuzz target: a prefix whose octet the address parser refuses trapped.
    @Test func aPrefixWithALeadingZeroIsAnErrorNotATrap() throws {
        guard case .failure(let e) = IPNetwork.parse("192.0.07.") else { Issue.record("accepted"); return }
        #expect(e.message == "bad address prefix \"192.0.07.\"")
    }

    @Test func reverseLabels() throws {
        #expect(IPAddress("192.0.2.7")!.reverseLabels == "7.2.0.192")
        #expect(IPAddress("2001:db8::1")!.reverseLabels ==
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2")
    }

    @Test func descriptionRoundTrips() throws {
        #expect(IPAddress("2001:0db8:0000::0001")!.description == "2001:db8::1")
        #expect(IPAddress("192.0.2.7")!.description == "192.0.2.7")
    }
}
