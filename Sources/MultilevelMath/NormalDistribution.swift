#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The standard normal distribution N(0, 1): density φ, distribution function Φ, log Φ and the
/// quantile function Φ⁻¹.
public enum NormalDistribution {
    /// 1 / √(2π).
    @usableFromInline static let inverseSquareRootTwoPi = 0.398_942_280_401_432_677_94
    /// log √(2π).
    @usableFromInline static let logSquareRootTwoPi = 0.918_938_533_204_672_741_78

    /// The density φ(x) = exp(−x²/2) / √(2π), with x² split as h² + (x − h)(x + h), h = x rounded
    /// to 1/16 (h² is exact), so that the exponent keeps full relative accuracy in the tails.
    @inlinable
    public static func density(_ x: Double) -> Double {
        let h = (x * 16).rounded(.towardZero) / 16
        return inverseSquareRootTwoPi * exp(-0.5 * h * h) * exp(-0.5 * (x - h) * (x + h))
    }

    /// The log density −x²/2 − log √(2π).
    @inlinable
    public static func logDensity(_ x: Double) -> Double {
        -0.5 * x * x - logSquareRootTwoPi
    }

    /// The distribution function Φ(x): erfc(−x/√2)/2 for |x| ≤ 5, and in the tails
    /// φ(x) · R(|x|) (lower) or 1 − φ(x) · R(x) (upper) with Mills' ratio R from its continued
    /// fraction, which keeps full relative accuracy far into the lower tail.
    public static func cdf(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < -5 { return density(x) * millsRatio(-x) }
        if x > 5 { return 1 - density(x) * millsRatio(x) }
        return 0.5 * erfc(-x * 0.707_106_781_186_547_524_40)
    }

    /// The upper tail 1 − Φ(x) = Φ(−x), accurate in the far upper tail.
    public static func complementaryCDF(_ x: Double) -> Double { cdf(-x) }

    /// log Φ(x), finite for every finite x: log φ(x) + log R(−x) in the lower tail (x < −5),
    /// log1p(−φ(x) R(x)) in the upper tail (x > 5), log Φ(x) between.
    public static func logCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x == .infinity { return 0 }
        if x == -.infinity { return -.infinity }
        if x < -5 { return logDensity(x) + log(millsRatio(-x)) }
        if x > 5 { return log1p(-density(x) * millsRatio(x)) }
        if x > 0 { return log1p(-0.5 * erfc(x * 0.707_106_781_186_547_524_40)) }
        return log(cdf(x))
    }

    /// Mills' ratio (1 − Φ(t)) / φ(t) for t ≥ 5 by Laplace's continued fraction
    /// R(t) = 1/(t + 1/(t + 2/(t + 3/(t + …)))) (Abramowitz & Stegun 26.2.14), evaluated from the
    /// bottom up with enough terms for full double precision at t = 5.
    @usableFromInline
    static func millsRatio(_ t: Double) -> Double {
        var tail = t
        var k = 300.0
        while k >= 1 {
            tail = t + k / tail
            k -= 1
        }
        return 1 / tail
    }

    /// The quantile Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16, *Applied Statistics* 37(3),
    /// 1988): rational approximations of degree 7 in three regions, relative accuracy about 1e-16.
    /// This is the algorithm R's `qnorm` uses, so rank-normalised draws match R's exactly.
    /// Returns −∞ at 0, +∞ at 1 and NaN outside [0, 1].
    public static func quantile(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let numerator = ((((((2.509_080_928_730_122_672_7e3 * r + 3.343_057_558_358_812_810_5e4) * r
                + 6.726_577_092_700_870_085_3e4) * r + 4.592_195_393_154_987_145_7e4) * r
                + 1.373_169_376_550_946_112_5e4) * r + 1.971_590_950_306_551_442_7e3) * r
                + 1.331_416_678_917_843_774_5e2) * r + 3.387_132_872_796_366_608_0
            let denominator = ((((((5.226_495_278_852_854_561_0e3 * r + 2.872_908_573_572_194_267_4e4) * r
                + 3.930_789_580_009_271_061_0e4) * r + 2.121_379_430_158_659_586_7e4) * r
                + 5.394_196_021_424_751_107_7e3) * r + 6.871_870_074_920_579_083_0e2) * r
                + 4.231_333_070_160_091_125_2e1) * r + 1
            return q * numerator / denominator
        }
        var r = q < 0 ? p : 1 - p
        r = (-log(r)).squareRoot()
        var value: Double
        if r <= 5 {
            r -= 1.6
            let numerator = ((((((7.745_450_142_783_414_076_4e-4 * r + 2.272_384_498_926_918_458_33e-2) * r
                + 2.417_807_251_774_506_117_7e-1) * r + 1.270_458_252_452_368_382_58) * r
                + 3.647_848_324_763_204_605_04) * r + 5.769_497_221_460_691_405_5) * r
                + 4.630_337_846_156_545_295_9) * r + 1.423_437_110_749_683_577_34
            let denominator = ((((((1.050_750_071_644_416_843_24e-9 * r + 5.475_938_084_995_344_946e-4) * r
                + 1.519_866_656_361_645_719_66e-2) * r + 1.481_039_764_274_800_745_9e-1) * r
                + 6.897_673_349_851_000_045_5e-1) * r + 1.676_384_830_183_803_849_4) * r
                + 2.053_191_626_637_758_821_87) * r + 1
            value = numerator / denominator
        } else {
            r -= 5
            let numerator = ((((((2.010_334_399_292_288_132_65e-7 * r + 2.711_555_568_743_487_578_15e-5) * r
                + 1.242_660_947_388_078_438_6e-3) * r + 2.653_218_952_657_612_309_3e-2) * r
                + 2.965_605_718_285_048_912_3e-1) * r + 1.784_826_539_917_291_335_8) * r
                + 5.463_784_911_164_114_369_9) * r + 6.657_904_643_501_103_777_2
            let denominator = ((((((2.044_263_103_389_939_785_64e-15 * r + 1.421_511_758_316_445_888_7e-7) * r
                + 1.846_318_317_510_054_681_8e-5) * r + 7.868_691_311_456_132_591e-4) * r
                + 1.487_536_129_085_061_485_25e-2) * r + 1.369_298_809_227_358_053_1e-1) * r
                + 5.998_322_065_558_879_376_9e-1) * r + 1
            value = numerator / denominator
        }
        return q < 0 ? -value : value
    }
}
