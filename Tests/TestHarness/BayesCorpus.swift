import Foundation

/// A small, made-up corpus for Bayes tests and `bench/bayes.sh` smoke runs: spam and ham with
/// distinct vocabularies over a shared filler, deterministic (a fixed pseudo-random sequence), so
/// a test can learn some and expect the rest to be classified. No accuracy claim rests on it.
public enum BayesCorpus {
    static let spamWords = ["viagra", "casino", "lottery", "winner", "pharmacy", "discount", "bitcoin", "investment",
                            "unclaimed", "prize", "cheap", "replica", "watches", "refinance", "guaranteed", "bonus",
                            "exclusive", "limited", "urgent", "inheritance"]
    static let hamWords = ["meeting", "agenda", "quarterly", "report", "project", "deadline", "review", "lunch",
                           "schedule", "minutes", "budget", "draft", "colleague", "conference", "milestone", "roadmap",
                           "tomorrow", "weekend", "kindergarten", "football"]
    static let filler = ["the", "and", "you", "for", "this", "with", "have", "please", "your", "are", "about", "will"]

    /// A deterministic generator (an LCG is plenty for picking words).
    struct Sequence {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    /// Message `index` of its kind, with LF line ends (as qmail hands messages to programs).
    public static func message(spam: Bool, index: Int) -> String {
        var r = Sequence(state: UInt64(index) &* 2654435761 &+ (spam ? 7 : 3))
        let words = spam ? spamWords : hamWords
        func pick(_ n: Int) -> String {
            (0..<n).map { _ in r.next(3) == 0 ? filler[r.next(filler.count)] : words[r.next(words.count)] }.joined(separator: " ")
        }
        let from = spam ? "deals\(index % 7)@promo\(index % 5).example" : "friend\(index % 4)@colleagues.example.org"
        let link = spam ? "http://offers\(index % 3).spam-shop.example/\(index)" : "https://wiki.colleagues.example.org/page\(index)"
        return "From: \(from)\nTo: user@example.com\nSubject: \(pick(3))\nMessage-ID: <\(index).\(spam ? "s" : "h")@\(spam ? "bulk.example" : "mail.example.org")>\n\n"
            + (0..<4).map { _ in pick(12) }.joined(separator: "\n") + "\n" + link + "\n"
    }

    /// Writes `spam/N` and `ham/N` under `directory`, one message a file.
    public static func write(to directory: String, spam: Int, ham: Int, offset: Int = 0) throws {
        for (kind, count) in [("spam", spam), ("ham", ham)] {
            let dir = directory + "/" + kind
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for i in 0..<count {
                try message(spam: kind == "spam", index: offset + i).write(toFile: "\(dir)/\(offset + i)", atomically: false, encoding: .utf8)
            }
        }
    }
}
