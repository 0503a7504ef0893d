import Testing
@testable import Learners

@Suite struct BootstrapTests {
    @Test func constantValuesHaveAZeroWidthInterval() {
        let e = Bootstrap.meanInterval([Double](repeating: 0.3, count: 50))
        #expect(abs(e.mean - 0.3) < 1e-12 && abs(e.low - 0.3) < 1e-12 && abs(e.high - 0.3) < 1e-12)
    }

    /// 200 successes out of 400: the normal-approximation 95 % interval is 0.5 ± 1.96·√(0.25/400)
    /// = [0.451, 0.549]; the percentile bootstrap must agree to about a point.
    @Test func bernoulliIntervalMatchesTheNormalApproximation() {
        let values = (0..<400).map { Double($0 % 2) }
        let e = Bootstrap.meanInterval(values, resamples: 4000, seed: 3)
        #expect(e.mean == 0.5)
        #expect(abs(e.low - 0.451) < 0.012 && abs(e.high - 0.549) < 0.012)
    }

    @Test func intervalIsReproducibleFromItsSeed() {
        let values = (0..<30).map { Double($0 * $0 % 7) }
        #expect(Bootstrap.meanInterval(values, seed: 9) == Bootstrap.meanInterval(values, seed: 9))
    }

    @Test func quantileInterpolates() {
        #expect(Bootstrap.quantile([0, 10], 0.25) == 2.5)
    }
}
