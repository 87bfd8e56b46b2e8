import Foundation
import Testing
import TestHarness

/// M12 at delivery: qsentry-queue's X-QSentry-Fuzzy field, weighed by qsentry-local.
@Suite struct LocalFuzzyTests {
    typealias Home = LocalDeliveryTests.Home

    @Test func aTaggedCopyOfSpamIsSpamAndBulkIsOnlyReported() throws {
        let h = try Home()
        let body = "From: a@example.org\nTo: joe@example.com\nSubject: news\n\nThe weekly letter.\n"
        let spam = try h.deliver("X-QSentry-Fuzzy: spam; similarity=81\n" + body)
        #expect(spam.stderr.contains("verdict=spam") && spam.stderr.contains("FUZZY_SPAM"), "\(spam.stderr)")
        let bulk = try h.deliver("X-QSentry-Fuzzy: bulk; recipients=120; hosts=2\n" + body)
        #expect(bulk.stderr.contains("verdict=ham") && bulk.stderr.contains("FUZZY_BULK"), "\(bulk.stderr)")
        // Maildir names do not sort by time within a second: look at every delivered message.
        #expect(h.delivered().contains { $0.contains("X-Spam-Status: No") && $0.contains("FUZZY_BULK") })
    }
}
