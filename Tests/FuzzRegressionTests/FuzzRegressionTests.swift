import Foundation
import Testing
import QSentryFuzz

/// Every fuzz seed and every input a fuzzer ever crashed on (Tests/Fuzz/), through the same target
/// functions bench/fuzz.sh fuzzes: a crash fixed once stays fixed. Passing is returning.
@Suite struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz").standardized.path

    static func inputs(_ kind: String, _ target: String) -> [String] {
        let dir = fuzz + "/" + kind + "/" + target
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    @Test(arguments: FuzzTargets.all.keys.sorted())
    func seedsAndFoundCrashesRunClean(target: String) throws {
        let run = try #require(FuzzTargets.all[target])
        let seeds = Self.inputs("corpus", target)
        #expect(!seeds.isEmpty, "no seeds for \(target) in Tests/Fuzz/corpus/\(target)")
        for path in seeds + Self.inputs("crashes", target) {
            run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        }
    }

    @Test func everyTargetHasAFolder() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.fuzz + "/corpus")
        #expect(Set(folders) == Set(FuzzTargets.all.keys))
    }
}
