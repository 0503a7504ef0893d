/// A seeded xoshiro256** generator (Blackman & Vigna, 2018), state filled by SplitMix64 from one
/// 64-bit seed. Passed explicitly (`inout`) everywhere randomness is needed, so a run is
/// reproducible from its seed; there is no global generator. `Codable` (the four state words
/// and the spare normal) so a generator that lives across training updates can be checkpointed.
public struct SeededRNG: RandomNumberGenerator, Sendable, Codable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// A spare standard normal from the last Box–Muller pair.
    private var spareGaussian: Float?

    /// Creates a generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm); s1 = splitMix(&sm); s2 = splitMix(&sm); s3 = splitMix(&sm)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller; the second value of each pair is kept for the next call).
    public mutating func nextGaussian() -> Float {
        if let spare = spareGaussian { spareGaussian = nil; return spare }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * _logD(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        spareGaussian = Float(r * _sinD(theta))
        return Float(r * _cosD(theta))
    }

    /// An independent generator derived from this one (for splitting a stream between jobs).
    public mutating func fork() -> SeededRNG { SeededRNG(seed: next()) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@inline(__always) func _logD(_ x: Double) -> Double { log(x) }
@inline(__always) func _sinD(_ x: Double) -> Double { sin(x) }
@inline(__always) func _cosD(_ x: Double) -> Double { cos(x) }
