import Testing
import QSentryCore

/// ArraySlice.lineFeed, the memchr search DATA and the MIME parser split lines with.
@Suite struct LineFeedTests {
    /// The memchr search finds what a byte-by-byte search finds: long runs, CRs and LFs in every
    /// order, slices that do not start at 0.
    @Test func lineFeedSearchAgreesWithAPlainSearch() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let n = Int.random(in: 0..<2000, using: &rng)
            let density = Int.random(in: 1...600, using: &rng)
            let bytes: [UInt8] = (0..<n).map { _ in
                let r = Int.random(in: 0..<density, using: &rng)
                return r == 0 ? 0x0D : r == 1 ? 0x0A : UInt8.random(in: 0x20...0x7e, using: &rng)
            }
            let lower = n == 0 ? 0 : Int.random(in: 0...n, using: &rng)
            let slice = bytes[lower...]
            let from = Int.random(in: lower...n, using: &rng)
            let expected = slice[from...].firstIndex(of: 0x0A)
            #expect(slice.lineFeed(from: from) == expected, "n=\(n) lower=\(lower) from=\(from)")
        }
    }
}
