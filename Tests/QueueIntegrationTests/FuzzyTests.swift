import Foundation
import Testing
import TestHarness

/// M12 through qsentry-queue: spam learnt once with `qsentry learn --spam` catches its changed
/// copies; copies sent to many recipients are tagged as bulk; two qmail roots on one Redis see
/// each other's learning and counts.
@Suite(.serialized) struct FuzzyTests {
    static let pitch = SampleText.prizePitch
    static let newsletter = """
    This week in the garden club: the spring plant sale moves to the community hall, the talk on
    pruning fruit trees is on Thursday evening, and volunteers are still needed for the seed swap.
    Members can borrow the club's tools again from the shed behind the library; please sign the book.

    """

    static func message(_ body: String, subject: String = "Notice") -> String {
        "From: promotions@lottery.example\nTo: you@example.com\nSubject: \(subject)\n\n" + body
    }

    final class Root {
        let root: TempQmailRoot
        init(name: String, fuzzy: String, store: String? = nil) throws {
            root = try TempQmailRoot()
            _ = try QueueRun.recordingQueue(in: root)
            try root.write("control/me", name + "\n")
            try root.write("control/qsentry/authentication", "off\n")  // M11 has its own suite
            try root.write("control/qsentry/fuzzy", fuzzy)
            if let store { try root.write("control/qsentry/store", store + "\n") }
        }
        func learn(_ message: String) throws -> RunResult {
            let file = try root.write("run/learn-\(UUID().uuidString.prefix(6)).eml", message)
            return try Run.command(Run.program("qsentry"), ["learn", "--spam", file], environment: root.environment())
        }
        func run(_ message: String, to: String = "you@example.com", from: String = "promotions@lottery.example") throws -> QueueRun {
            try QueueRun(root: root, message: message, envelope: QueueRun.envelope(from, [to]))
        }
        var lastQueued: String { QueueRun.queued(in: root).last?.message ?? "" }
    }

    @Test func aChangedCopyOfLearntSpamIsRefusedOrTagged() throws {
        let r = try Root(name: "mx1.example.org", fuzzy: "similarity=50\n")
        let learnt = try r.learn(Self.message(Self.pitch))
        #expect(learnt.status == 0 && learnt.stdout.contains("1 fuzzy signature kept"), "\(learnt.output)")
        let changed = Self.pitch.replacingOccurrences(of: "Dear friend", with: "Dear Mr Johnson")
            .replacingOccurrences(of: "cash prize", with: "money award") + "ref 8812-QX zqvkxw plmnbt\n"
        let refused = try r.run(Self.message(changed, subject: "Your award 77812"))
        #expect(refused.status == 31 && refused.stderr.contains("rule=fuzzy") && refused.stderr.contains("checks=fuzzy:hit"), "\(refused.stderr)")
        // Unrelated mail passes, and is counted.
        let other = try r.run(Self.message(Self.newsletter))
        #expect(other.status == 0 && other.stderr.contains("fuzzy:pass"), "\(other.stderr)")
        // Allow lists win.
        try r.root.write("control/qsentry/mailfromallow", "promotions@lottery.example\n")
        let allowed = try r.run(Self.message(changed))
        #expect(allowed.status == 0, "\(allowed.stderr)")
        try FileManager.default.removeItem(atPath: r.root.path + "/control/qsentry/mailfromallow")
        // action=tag: delivered, marked for qsentry-local.
        try r.root.write("control/qsentry/fuzzy", "similarity=50\naction=tag\n")
        let tagged = try r.run(Self.message(changed))
        #expect(tagged.status == 0 && r.lastQueued.hasPrefix("X-QSentry-Fuzzy: spam; similarity="), "\(tagged.stderr)\n\(r.lastQueued)")
    }

    @Test func wideBulkIsOnlyTaggedAndShortMailIsNotJudged() throws {
        let r = try Root(name: "mx1.example.org", fuzzy: "bulk=3\n")
        for (i, to) in ["a@example.com", "b@example.com", "c@example.com"].enumerated() {
            let run = try r.run(Self.message(Self.newsletter), to: to)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(r.lastQueued.hasPrefix("X-QSentry-Fuzzy: bulk; recipients=3") == (i == 2), "\(i): \(r.lastQueued.prefix(80))")
        }
        // The same recipient again is not a new one.
        _ = try r.run(Self.message(Self.newsletter), to: "a@example.com")
        #expect(r.lastQueued.hasPrefix("X-QSentry-Fuzzy: bulk; recipients=3"))
        let short = try r.run(Self.message("Lunch at noon?\n"))
        #expect(short.status == 0 && short.stderr.contains("fuzzy:short"), "\(short.stderr)")
        // A store that cannot be opened lets mail through with a log line.
        try r.root.write("control/qsentry/store", "redis://127.0.0.1:1?timeout=200\n")
        let down = try r.run(Self.message(Self.newsletter))
        #expect(down.status == 0 && down.stderr.contains("fuzzy:store-error"), "\(down.stderr)")
    }

    @Test func twoMXHostsOnOneRedisShareLearningAndCounts() throws {
        let holder = try TempQmailRoot()
        let redis = try Redis(root: holder)
        let mx1 = try Root(name: "mx1.example.org", fuzzy: "bulk=2\n", store: redis.url)
        let mx2 = try Root(name: "mx2.example.org", fuzzy: "bulk=2\n", store: redis.url)
        #expect(try mx1.learn(Self.message(Self.pitch)).status == 0)
        let changed = Self.pitch.replacingOccurrences(of: "fourteen days", with: "ten days") + "ticket qzvxkw\n"
        let refused = try mx2.run(Self.message(changed))
        #expect(refused.status == 31 && refused.stderr.contains("rule=fuzzy"), "learnt at mx1, refused at mx2: \(refused.stderr)")
        _ = try mx1.run(Self.message(Self.newsletter), to: "a@example.com")
        _ = try mx2.run(Self.message(Self.newsletter), to: "b@example.com")
        #expect(mx2.lastQueued.hasPrefix("X-QSentry-Fuzzy: bulk; recipients=2; hosts=2"), "\(mx2.lastQueued.prefix(90))")
    }

    /// An attachment (or image) learnt as spam is caught by its exact hash under any text.
    @Test func aLearntAttachmentIsCaughtUnderOtherText() throws {
        let r = try Root(name: "mx1.example.org", fuzzy: "similarity=50\n")
        let payload = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        func message(_ text: String, _ name: String) -> String {
            "From: x@example.net\nTo: you@example.com\nSubject: invoice\nContent-Type: multipart/mixed; boundary=b\n\n"
                + "--b\nContent-Type: text/plain\n\n\(text)\n--b\nContent-Type: image/png; name=\(name)\n"
                + "Content-Transfer-Encoding: base64\n\n\(payload.base64EncodedString(options: .lineLength76Characters))\n--b--\n"
        }
        let learnt = try r.learn(message("see attached", "a.png"))
        #expect(learnt.stdout.contains("1 fuzzy signature kept"), "\(learnt.output)")
        let again = try r.run(message("Hello, your document is ready.", "b.png"))
        #expect(again.status == 31 && again.stderr.contains("rule=fuzzy"), "\(again.stderr)")
        // Another image is not.
        let other = try r.run(message("see attached", "a.png").replacingOccurrences(of: "AwoRGB8", with: "AwoRGB9"))
        #expect(other.status == 0, "\(other.stderr)")
    }

    /// `qsentry explain` looks without counting: its recipient is not a sighting.
    @Test func explainDoesNotCount() throws {
        let r = try Root(name: "mx1.example.org", fuzzy: "bulk=2\n")
        try r.root.write("control/rcpthosts", "example.com\n")
        let file = try r.root.write("run/news.eml", Self.message(Self.newsletter))
        let explained = try Run.command(Run.program("qsentry"), ["explain", "--ip", "192.0.2.10", "--from", "promotions@lottery.example",
                                                                 "--to", "b@example.com", file], environment: r.root.environment())
        #expect(explained.stdout.contains("fuzzy"), "\(explained.output)")
        _ = try r.run(Self.message(Self.newsletter), to: "a@example.com")
        #expect(!r.lastQueued.hasPrefix("X-QSentry-Fuzzy"), "explain counted a sighting: \(r.lastQueued.prefix(80))")
    }

    @Test func checkLintsTheFuzzyFile() throws {
        let r = try Root(name: "mx1.example.org", fuzzy: "similarity=150\n")
        let check = try Run.command(Run.program("qsentry"), ["check", "--no-probes"], environment: r.root.environment())
        #expect(check.output.contains("fuzzy") && check.output.contains("similarity"), "\(check.output)")
    }
}
