import Foundation
import QSentryFuzzy
import QSentryMIME
import TestHarness
import Testing

/// M12's signatures: changed copies of one message stay alike, unrelated messages do not, and on
/// the real public corpus no ham message comes close to any spam message.
@Suite struct FuzzySignatureTests {
    static let pitch = SampleText.prizePitch

    static func signature(_ s: String) -> FuzzySignature? { FuzzySignature(text: Array(s.utf8)) }

    @Test func changedCopiesStayAlike() throws {
        let original = try #require(Self.signature(Self.pitch))
        let variants = [
            Self.pitch.replacingOccurrences(of: "Dear friend", with: "Dear Mr Johnson"),
            Self.pitch.replacingOccurrences(of: "cash prize", with: "money award")
                .replacingOccurrences(of: "fourteen days", with: "ten days")
                .replacingOccurrences(of: "our agent", with: "Mr Peter Williams"),
            "Ref 88231-XQ-2291 batch 77/201 " + Self.pitch + " qzxkvw plmokn 4417729 token a8f3e2",
            Self.pitch.replacingOccurrences(of: "\n", with: " ").uppercased(),
        ]
        for v in variants {
            let s = try #require(Self.signature(v))
            #expect(original.similarity(s) >= 0.5, "\(original.similarity(s)) for \(v.prefix(60))")
            #expect(Set(original.bandKeys).intersection(s.bandKeys).count >= 1)
        }
    }

    @Test func unrelatedTextIsNotAlikeAndShortTextHasNoSignature() throws {
        let original = try #require(Self.signature(Self.pitch))
        let other = try #require(Self.signature("""
        Hi all, the build on the release branch is failing again since this morning. It looks like the
        linker cannot find the new crypto library on the older build machines. Could someone who set up
        those machines check which package is installed there, and whether we should pin the version in
        the install script instead of taking whatever the distribution ships this week? Thanks, Tom
        """))
        #expect(original.similarity(other) < 0.1)
        #expect(Self.signature("Short note: see you at noon.") == nil)
        // The same text gives the same signature (two MX hosts must agree).
        #expect(Self.signature(Self.pitch) == original)
    }

    /// The real corpus (../shared/corpus): every spam message's signature learnt, then every ham
    /// message looked up by band key as a store would; a ham within 0.5 of a learnt spam would be
    /// a false match. Also reported: how many spam messages have a near copy among the other spam
    /// (the campaigns fuzzy hashing is for).
    @Test func noHamFromTheCorpusMatchesLearntSpam() throws {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/corpus").standardized.path
        guard FileManager.default.fileExists(atPath: shared + "/ham.tar.xz") else {
            print("fuzzy corpus test: no ../shared/corpus, skipped")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("qsentry-fuzzy-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for kind in ["spam", "ham"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/tar")
            p.arguments = ["xJf", shared + "/\(kind).tar.xz", "-C", dir]
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
        }
        func signatures(_ kind: String) throws -> [FuzzySignature?] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/" + kind).sorted()
            return files.map { f in
                guard let data = FileManager.default.contents(atPath: dir + "/\(kind)/" + f) else { return nil }
                var parser = MIMEParser(limits: MIMELimits())
                parser.feed(Array(data)[...])
                return FuzzySignature(text: parser.finish().text)
            }
        }
        let spam = try signatures("spam"), ham = try signatures("ham")
        var index: [UInt64: [Int]] = [:]
        for (i, s) in spam.enumerated() { for k in s?.bandKeys ?? [] { index[k, default: []].append(i) } }
        func best(_ s: FuzzySignature, skipping: Int? = nil) -> Double {
            var candidates = Set<Int>()
            for k in s.bandKeys { candidates.formUnion(index[k] ?? []) }
            candidates.remove(skipping ?? -1)
            return candidates.map { spam[$0]!.similarity(s) }.max() ?? 0
        }
        let hamSigned = ham.compactMap { $0 }
        let falseMatches = hamSigned.filter { best($0) >= 0.5 }.count
        let campaigns = spam.enumerated().filter { i, s in s.map { best($0, skipping: i) >= 0.5 } ?? false }.count
        let rate = Double(falseMatches) / Double(max(1, hamSigned.count))
        print("fuzzy corpus: \(ham.count) ham (\(hamSigned.count) with a signature), \(falseMatches) within 0.5 of one of "
              + "\(spam.compactMap { $0 }.count) learnt spam (\(String(format: "%.3f", rate * 100)) %); "
              + "\(campaigns) spam have a near copy among the other spam")
        #expect(rate <= 0.001, "false-match rate \(rate)")
    }
}
