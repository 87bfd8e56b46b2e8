import Testing
@testable import QSentryCore

@Suite struct DNSBLZoneTests {
    @Test func plainZone() throws {
        let z = try DNSBLZone.parse("zen.spamhaus.org").get()
        #expect(z.zone == "zen.spamhaus.org" && z.weight == 1 && z.filter == nil && z.text == nil)
        #expect(z.accepts(IPAddress("127.0.0.2")!))
        #expect(!z.accepts(IPAddress("10.0.0.2")!))
    }

    @Test func filterWeightAndText() throws {
        let z = try DNSBLZone.parse("Zen.Example=127.0.0.[2..11;20]*3  Listed, see %IP%").get()
        #expect(z.zone == "zen.example")
        #expect(z.weight == 3)
        #expect(z.text == "Listed, see %IP%")
        #expect(z.accepts(IPAddress("127.0.0.2")!))
        #expect(z.accepts(IPAddress("127.0.0.11")!))
        #expect(z.accepts(IPAddress("127.0.0.20")!))
        #expect(!z.accepts(IPAddress("127.0.0.12")!))
        #expect(!z.accepts(IPAddress("127.0.1.2")!))
    }

    @Test func negativeWeightAndExactFilter() throws {
        let z = try DNSBLZone.parse("list.dnswl.example=127.0.[0..255].2*-2").get()
        #expect(z.weight == -2)
        #expect(z.accepts(IPAddress("127.0.9.2")!))
        #expect(!z.accepts(IPAddress("127.0.9.3")!))
    }

    @Test func badLines() {
        for bad in ["zen.example=127.0.0", "zen.example=127.0.0.[2..]", "zen.example*x", "zen.example=127.0.0.256",
                    "localhost", "zen.example=[1..0].0.0.1", "bad zone!.example", "zen.example=127.0.0.2.", "zen.example*1000"] {
            #expect(throws: ListError.self, "\(bad)") { try DNSBLZone.parse(bad).get() }
        }
    }
}
