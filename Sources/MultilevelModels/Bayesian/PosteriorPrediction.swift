#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelData

/// Fitted values and posterior predictive draws on the rows of the design (brms'
/// `posterior_linpred`, `posterior_epred` and `posterior_predict`) for one unconstrained draw.
public struct PosteriorPredictor: Sendable {
    /// The parameter layout the draws follow.
    public let layout: ParameterLayout
    /// The response family.
    public let family: Family
    let data: PosteriorData

    /// A predictor for the rows of `design` (the design the posterior was built from).
    public init(design: ModelDesign, family: Family) {
        layout = ParameterLayout(design: design, family: family)
        self.family = family
        data = PosteriorData(design: design, family: family, mergeRows: false)
    }

    /// Number of rows predicted.
    public var rowCount: Int { data.rowCount }

    /// η for every row at the unconstrained draw `x` (link scale).
    public func linearPredictor(unconstrained x: [Double]) -> [Double] {
        precondition(x.count == layout.dimension, "dimension mismatch")
        var theta = [Double](repeating: 0, count: data.thetaCount)
        let shift = layout.hasIntercept ? 1 : 0
        if layout.hasIntercept { theta[0] = x[layout.interceptOffset] }
        for k in layout.coefficientNames.indices { theta[shift + k] = x[k] }
        var factor = [Double](repeating: 0, count: (layout.terms.map(\.columnCount).max() ?? 1) * (layout.terms.map(\.columnCount).max() ?? 1))
        for (t, term) in layout.terms.enumerated() {
            let q = term.columnCount
            factor.withUnsafeMutableBufferPointer { l in
                if q > 1 {
                    x.withUnsafeBufferPointer { CholeskyCorrelationTransform.constrain($0.baseAddress! + term.correlationOffset,
                                                                                     dimension: q, into: l.baseAddress!) }
                } else {
                    l[0] = 1
                }
                for j in 0..<term.levelCount {
                    for k in 0..<q {
                        var w = 0.0
                        for m in 0...k { w += l[k * q + m] * x[term.zOffset + j * q + m] }
                        theta[data.termOffsets[t] + j * q + k] = exp(x[term.sdOffset + k]) * w
                    }
                }
            }
        }
        let p = data.fixedColumnCount
        return (0..<data.rowCount).map { i in
            var eta = 0.0
            for m in 0..<p { eta += data.fixed[i * p + m] * theta[m] }
            for t in 0..<data.termCount {
                let base = data.termThetaIndex[i * data.termCount + t]
                let zRow = i * data.termValueWidth + data.termValueOffsets[t]
                for k in 0..<data.termColumnCounts[t] { eta += data.termValues[zRow + k] * theta[base + k] }
            }
            return eta
        }
    }

    /// The family's auxiliary parameters at `x` (`sigma`, `nu`, `shape`, in family order).
    func auxiliary(_ x: [Double]) -> [Double] {
        layout.auxiliaryParameters.enumerated().map { a, parameter in
            LowerBoundTransform.constrain(x[layout.auxiliaryOffset + a], lowerBound: parameter.lowerBound)
        }
    }

    /// E[y | parameters] for every row (brms' `posterior_epred`): g⁻¹(η), times the trials for
    /// binomial, exp(η + σ²/2) for lognormal, and η for student (ν > 1).
    public func expectedResponse(unconstrained x: [Double]) -> [Double] {
        let eta = linearPredictor(unconstrained: x)
        let aux = auxiliary(x)
        return eta.enumerated().map { i, e in
            switch family {
            case .gaussian, .student: return e
            case .lognormal: return exp(e + aux[0] * aux[0] / 2)
            case .bernoulli: return posteriorLogistic(e)
            case .binomial: return data.trials[i] * posteriorLogistic(e)
            case .poisson, .negativeBinomial, .gamma: return exp(e)
            }
        }
    }

    /// One posterior predictive draw of the response for every row (brms' `posterior_predict`).
    public func predictedResponse(unconstrained x: [Double], rng: inout Xoshiro256PlusPlus) -> [Double] {
        let eta = linearPredictor(unconstrained: x)
        let aux = auxiliary(x)
        var out = [Double](repeating: 0, count: eta.count)
        for (i, e) in eta.enumerated() {
            switch family {
            case .gaussian:
                out[i] = e + aux[0] * rng.nextNormal()
            case .student:
                let nu = aux[1]
                out[i] = e + aux[0] * rng.nextNormal() / (2 * ResponseDraws.gamma(shape: nu / 2, rng: &rng) / nu).squareRoot()
            case .lognormal:
                out[i] = exp(e + aux[0] * rng.nextNormal())
            case .bernoulli:
                out[i] = rng.nextUniform() < posteriorLogistic(e) ? 1 : 0
            case .binomial:
                out[i] = ResponseDraws.binomial(trials: data.trials[i], probability: posteriorLogistic(e), rng: &rng)
            case .poisson:
                out[i] = ResponseDraws.poisson(mean: exp(e), rng: &rng)
            case .negativeBinomial:
                let shape = aux[0]
                out[i] = ResponseDraws.poisson(mean: exp(e) * ResponseDraws.gamma(shape: shape, rng: &rng) / shape, rng: &rng)
            case .gamma:
                let shape = aux[0]
                out[i] = exp(e) * ResponseDraws.gamma(shape: shape, rng: &rng) / shape
            }
        }
        return out
    }
}

/// Random draws from the response distributions.
enum ResponseDraws {
    /// Gamma(shape, 1) by Marsaglia & Tsang (2000), *A simple method for generating gamma
    /// variables*, ACM TOMS 26(3); shape < 1 through Gamma(shape + 1) · U^(1/shape).
    static func gamma(shape: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        if shape < 1 { return gamma(shape: shape + 1, rng: &rng) * pow(rng.nextUniform(), 1 / shape) }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let z = rng.nextNormal()
            let v = 1 + c * z
            guard v > 0 else { continue }
            let v3 = v * v * v
            if log(rng.nextUniform()) < 0.5 * z * z + d - d * v3 + d * log(v3) { return d * v3 }
        }
    }

    /// Poisson(mean): multiplication of uniforms below 30, else Hörmann's (1993) PTRS
    /// transformed rejection (*The transformed rejection method for generating Poisson random
    /// variables*, Insurance: Mathematics and Economics 12).
    static func poisson(mean: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        guard mean > 0, mean.isFinite else { return mean == 0 ? 0 : .nan }
        if mean < 30 {
            let limit = exp(-mean)
            var k = 0.0
            var product = rng.nextUniform()
            while product > limit { k += 1; product *= rng.nextUniform() }
            return k
        }
        let slam = mean.squareRoot(), logMean = log(mean)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = rng.nextUniform() - 0.5
            let v = rng.nextUniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + mean + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return k }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -mean + k * logMean - posteriorLogGamma(k + 1) {
                return k
            }
        }
    }

    /// Binomial(trials, probability) as a sum of Bernoulli draws.
    static func binomial(trials: Double, probability: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        var count = 0.0
        for _ in 0..<Int(trials) where rng.nextUniform() < probability { count += 1 }
        return count
    }
}
