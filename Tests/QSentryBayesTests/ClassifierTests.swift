import Testing
import QSentryBayes

@Suite struct ClassifierTests {
    let c = Classifier()

    @Test func chiSquareSurvivalMatchesTables() {
        // Reference values: P(X >= x) for chi-square with v degrees of freedom.
        #expect(abs(Classifier.chiSquareSurvival(2, degreesOfFreedom: 2) - 0.367879) < 1e-5)
        #expect(abs(Classifier.chiSquareSurvival(9.488, degreesOfFreedom: 4) - 0.05) < 1e-3)
        #expect(abs(Classifier.chiSquareSurvival(18.307, degreesOfFreedom: 10) - 0.05) < 1e-3)
        #expect(Classifier.chiSquareSurvival(0, degreesOfFreedom: 8) == 1)
    }

    @Test func robinsonProbabilityPullsRareTokensToTheMiddle() {
        #expect(c.probability(spam: 0, ham: 0, nSpam: 10, nHam: 10) == 0.5)
        let once = c.probability(spam: 1, ham: 0, nSpam: 10, nHam: 10)
        let often = c.probability(spam: 50, ham: 0, nSpam: 100, nHam: 100)
        #expect(once > 0.5 && once < often && often < 1)
        #expect(abs(c.probability(spam: 5, ham: 5, nSpam: 10, nHam: 10) - 0.5) < 1e-9)
        // Ratios, not counts: 5 of 10 spam vs 50 of 1000 ham is spam-leaning.
        #expect(c.probability(spam: 5, ham: 50, nSpam: 10, nHam: 1000) > 0.8)
    }

    @Test func combinedScores() {
        #expect(c.score([]) == 0.5)
        #expect(c.score([0.5, 0.55, 0.45]) == 0.5, "no clue strong enough")
        #expect(c.score(Array(repeating: 0.99, count: 20)) > 0.99)
        #expect(c.score(Array(repeating: 0.01, count: 20)) < 0.01)
        let mixed = c.score(Array(repeating: 0.99, count: 10) + Array(repeating: 0.01, count: 10))
        #expect(abs(mixed - 0.5) < 0.01, "equal evidence both ways is unsure, not a verdict")
        // Hundreds of extreme clues: no underflow, no NaN.
        let many = c.score(Array(repeating: 0.9999, count: 1000))
        #expect(many.isFinite && many > 0.99)
    }
}
