#if canImport(Glibc)
import Glibc
#endif

/// Robinson's token probabilities combined with Fisher's chi-square method, as SpamBayes does it.
///
/// For a token seen in `s` of `nSpam` spam and `h` of `nHam` ham messages:
///   p = (s/nSpam) / (s/nSpam + h/nHam)          the raw spam probability
///   f = (strength·x + n·p) / (strength + n)      Robinson's correction, n = s + h
/// so a rare token stays near `x` (0.5) until evidence builds up. Tokens with |f − 0.5| below
/// `minimumDeviation` say nothing and are left out; of the rest, at most `maxClues` of the most
/// extreme are used. Then, with C⁻¹ the chi-square survival function with 2k degrees of freedom:
///   S = 1 − C⁻¹(−2 Σ ln(1 − f), 2k)     spamminess
///   H = 1 − C⁻¹(−2 Σ ln f, 2k)          hamminess
///   score = (1 + S − H) / 2             in [0, 1]: near 1 spam, near 0 ham, 0.5 unsure.
/// Strength 0.45, x 0.5 and 150 clues are SpamBayes'. The minimum deviation, 0.34, sits just below
/// a token seen once (f = 0.845 or 0.155, deviation 0.345), so such a token is a clue: on
/// ../shared/corpus most of what tells a spam apart is words and hops seen once before. SpamBayes'
/// 0.1 lets in the many words seen a few times with f near 0.7 or 0.3 by chance, which pull spam
/// and ham alike towards 0.5; bogofilter's 0.375 leaves the tokens seen once out (1-ROCA% 0.0599 at
/// 0.35 against 0.0439 at 0.34, 10 folds; bench/RESULTS.md, "what was tried").
public struct Classifier: Sendable {
    public var strength = 0.45
    public var unknownProbability = 0.5
    public var minimumDeviation = 0.34
    public var maxClues = 150

    public init() {}

    /// Robinson's f(w) for counts from `nSpam` spam and `nHam` ham messages.
    public func probability(spam: Int, ham: Int, nSpam: Int, nHam: Int) -> Double {
        let s = Double(spam), h = Double(ham)
        let spamRatio = nSpam > 0 ? min(s / Double(nSpam), 1) : 0
        let hamRatio = nHam > 0 ? min(h / Double(nHam), 1) : 0
        guard spamRatio + hamRatio > 0 else { return unknownProbability }
        let p = spamRatio / (spamRatio + hamRatio)
        let n = s + h
        return (strength * unknownProbability + n * p) / (strength + n)
    }

    /// The combined score of a message from its tokens' probabilities (unknown tokens included or not:
    /// they sit at 0.5 and are dropped by the deviation rule).
    public func score(_ probabilities: [Double]) -> Double {
        var clues = probabilities.filter { abs($0 - 0.5) >= minimumDeviation }
        if clues.count > maxClues {
            clues.sort { abs($0 - 0.5) > abs($1 - 0.5) }
            clues.removeLast(clues.count - maxClues)
        }
        guard !clues.isEmpty else { return 0.5 }
        // Sums of logarithms rather than products: 150 small factors underflow a Double.
        var lnSpam = 0.0, lnHam = 0.0
        for f in clues {
            let clamped = min(max(f, 1e-9), 1 - 1e-9)
            lnSpam += log(1 - clamped)
            lnHam += log(clamped)
        }
        let k = clues.count
        let s = 1 - Self.chiSquareSurvival(-2 * lnSpam, degreesOfFreedom: 2 * k)
        let h = 1 - Self.chiSquareSurvival(-2 * lnHam, degreesOfFreedom: 2 * k)
        return (1 + s - h) / 2
    }

    /// P(X ≥ x²) for a chi-square variable with an even number of degrees of freedom (series form).
    public static func chiSquareSurvival(_ x2: Double, degreesOfFreedom v: Int) -> Double {
        precondition(v > 0 && v % 2 == 0, "even degrees of freedom")
        let m = x2 / 2
        var term = exp(-m)
        var sum = term
        if v > 2 {
            for i in 1..<(v / 2) {
                term *= m / Double(i)
                sum += term
            }
        }
        return min(sum, 1)
    }
}
