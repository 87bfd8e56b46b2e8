import Testing
@testable import QSentryCore

/// ControlListing's look-up, which the per-connection programs switch on (their integration tests
/// then read every configured file through it); the switch itself stays off in this process.
@Suite struct ControlListingTests {
    @Test func aListedDirectoryAnswersForItsOwnNamesOnly() throws {
        let d = TempDir()
        d.write("qsentry/dnsbl", "zen.example\n")
        d.write("rcpthosts", "example.org\n")
        let control = try #require(ControlListing.Listing(directory: d.path))
        let qsentry = try #require(ControlListing.Listing(directory: d.path + "/qsentry"))
        #expect(control.mayContain("rcpthosts") && control.mayContain("qsentry"))
        #expect(!control.mayContain("locals"))
        let listings = [(directory: d.path, listing: control), (directory: d.path + "/qsentry", listing: qsentry)]
        #expect(!ControlListing.isAbsent(d.path + "/qsentry/dnsbl", in: listings))
        #expect(ControlListing.isAbsent(d.path + "/qsentry/ipallow", in: listings))
        #expect(ControlListing.isAbsent(d.path + "/qsentry/dnsbl.cdb", in: listings))
        #expect(!ControlListing.isAbsent(d.path + "/rcpthosts", in: listings))
        #expect(ControlListing.isAbsent(d.path + "/morercpthosts.cdb", in: listings))
        // Outside the listed directories nothing is known: opened as before.
        #expect(!ControlListing.isAbsent(d.path + "/qsentry/dkim/key", in: listings))
        #expect(!ControlListing.isAbsent("/etc/nonexistent-qsentry-file", in: listings))
        #expect(!ControlListing.isAbsent("relative", in: listings))
        #expect(!ControlListing.isAbsent(d.path, in: listings))
        #expect(!ControlListing.isAbsent(d.path + "-other/rcpthosts", in: listings))
    }

    /// Many names, each found, and names not there reported absent.
    @Test func everyNameOfABigDirectoryIsFound() throws {
        let d = TempDir()
        for i in 0..<300 { d.write("f\(i)", "") }
        let listing = try #require(ControlListing.Listing(directory: d.path))
        let listings = [(directory: d.path, listing: listing)]
        for i in 0..<300 { #expect(!ControlListing.isAbsent(d.path + "/f\(i)", in: listings)) }
        for i in 300..<400 { #expect(ControlListing.isAbsent(d.path + "/f\(i)", in: listings)) }
    }

    @Test func aDirectoryThatCannotBeReadIsNotListed() {
        let d = TempDir()
        #expect(ControlListing.Listing(directory: d.path + "/missing") == nil)
        d.write("file", "x")
        #expect(ControlListing.Listing(directory: d.path + "/file") == nil)
    }

    @Test func theSwitchIsOffOutsideTheProgramsThatStartIt() {
        // A test process (like the CLI and the web console) never lists: a file written after its
        // root was made is read.
        let d = TempDir()
        let root = QmailRoot(path: d.path)
        d.write("control/qsentry/dnsbl", "zen.example\n")
        #expect(!ControlListing.isAbsent(root.qsentry("dnsbl")))
        #expect(ControlListing.isAbsent(root.qsentry("ipallow")) == false)
    }
}
