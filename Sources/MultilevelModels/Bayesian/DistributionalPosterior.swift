#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelData
import MultilevelSampling

/// Why a distributional model cannot be built: one line naming the formula part.
public struct DistributionalModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The log posterior brms builds for a distributional model `bf(y ~ …, dpar ~ …)` (Bürkner 2018,
/// The R Journal 10(1), §2): every predicted auxiliary parameter has its own linear predictor
/// (`DistributionalPredictor`) mapped through its link (`AuxiliaryParameter.distributionalLink`),
/// so each row has its own σ (shape, φ, …):
///
///     y_i ~ F(μ_i = g⁻¹(η_μ,i), σ_i = exp(η_σ,i), …),
///
/// the other auxiliary parameters constant with their usual priors. Group-level effects are
/// non-centred (brms' parameterisation): r_t,j = diag(sd_t) L_t z_t,j, z ~ N(0, I), sd on the log
/// scale, L_t through Stan's partial-correlation transform with an LKJ(η) prior; terms joined by
/// brms' `|ID|` across the parts share one L and z (`DistributionalCorrelationBlock`).
///
/// The row log-likelihood is the family's own `RowLikelihood` evaluated for one row at a time
/// with that row's auxiliary values, so its value and its analytic derivatives ∂ℓ/∂η_μ and
/// ∂ℓ/∂(auxiliary) are exactly those of the constant-parameter row pass; the chain rule through
/// each dpar's inverse link gives ∂ℓ/∂η_dpar. The pass is generic over the family (`Family.visit`)
/// so the loop is specialised per family. Constants are included as in `GLMMPosterior`. brms'
/// `weights(w)` multiply each row's log-likelihood, constant and derivatives by wᵢ (brms' Stan
/// code: `target += weights[n] * normal_lpdf(Y[n] | mu[n], sigma[n])`).
public struct DistributionalPosterior: LogDensity {
    /// The response family.
    public let family: Family
    /// The family's auxiliary parameters in brms' order.
    public let auxiliaryParameters: [AuxiliaryParameter]
    /// The priors in effect.
    public let priors: DistributionalPriors
    /// The predictors: `[0]` the mean's, then one per predicted auxiliary parameter.
    let predictors: [DistributionalPredictor]
    /// The correlation blocks of the group-level terms (one per term, or per |ID| across parts).
    let blocks: [DistributionalCorrelationBlock]
    /// For each auxiliary parameter, the index of its predictor, or −1 when it is a constant.
    let predictorOfAuxiliary: [Int]
    /// For each auxiliary parameter, its offset in the unconstrained vector when constant (−1 else).
    let auxiliaryOffset: [Int]
    /// Model-scale response, trials and log of the raw response per row.
    let response: [Double], trials: [Double], logResponse: [Double]
    /// brms' `weights(w)` of each row (nil: every row 1).
    let weights: [Double]?
    let rowCount: Int
    /// Data constant and the normalising constants of the z and truncated priors.
    let constant: Double
    public let dimension: Int
    // Scratch offsets: η then ∂/∂η per predictor (n each), per-row auxiliary values, their
    // gradient and link derivatives, and the constant auxiliary values and gradients.
    let etaStart: Int, rowAuxiliaryStart: Int, rowAuxiliaryGradientStart: Int, linkDerivativeStart: Int
    let constantAuxiliaryStart: Int, constantAuxiliaryGradientStart: Int
    var scratch: PosteriorScratch

    /// Builds the posterior of `design` (the mean's) with `parameters` (one design per predicted
    /// dpar, built from the same rows) under `family`; brms' default priors when `priors` is nil.
    public init(design: ModelDesign, parameters: [(AuxiliaryParameter, ModelDesign)], family: Family,
                priors: DistributionalPriors? = nil) throws {
        try Self.check(design: design, parameters: parameters, family: family)
        try checkResponse(design, family: family)
        self.family = family
        let auxiliary = family.auxiliaryParameters
        auxiliaryParameters = auxiliary
        var predictors = [DistributionalPredictor(parameter: nil, design: design)]
        for (parameter, dparDesign) in parameters {
            predictors.append(DistributionalPredictor(parameter: parameter, design: dparDesign))
        }
        let priors = priors ?? Self.defaultPriors(design: design, predictors: predictors, family: family)
        self.priors = priors
        var blocks = try DistributionalCorrelationBlock.blocks(of: &predictors)
        // Unconstrained layout: per predictor b, Intercept, then per term its sd, and after a
        // block's last member the block's correlations and z (a term alone: sd, correlations, z);
        // then the constant auxiliary parameters.
        var offset = 0
        let n = design.rowCount
        var scratchCount = 0
        let etaStart = scratchCount
        scratchCount += 2 * n * predictors.count
        var zCount = 0
        var constant = 0.0
        for p in predictors.indices {
            predictors[p].coefficientOffset = offset
            offset += predictors[p].coefficientCount
            if predictors[p].hasIntercept {
                predictors[p].interceptOffset = offset
                offset += 1
            }
            for t in predictors[p].terms.indices {
                predictors[p].terms[t].sdOffset = offset
                offset += predictors[p].terms[t].columnCount
                for prior in priors.standardDeviations[p][t] { constant -= prior.logProbabilityAbove(0) }
                let b = predictors[p].terms[t].block
                guard blocks[b].endsWith(predictor: p, term: t) else { continue }
                let q = blocks[b].columnCount, levels = blocks[b].levelCount
                blocks[b].correlationOffset = offset
                offset += CholeskyCorrelationTransform.freeCount(q)
                blocks[b].zOffset = offset
                offset += levels * q
                zCount += levels * q
                blocks[b].effectStart = scratchCount
                blocks[b].effectGradientStart = scratchCount + levels * q
                blocks[b].factorStart = scratchCount + 2 * levels * q
                blocks[b].factorAdjointStart = scratchCount + 2 * levels * q + q * q
                blocks[b].sdStart = scratchCount + 2 * levels * q + 2 * q * q
                blocks[b].sdGradientStart = scratchCount + 2 * levels * q + 2 * q * q + q
                scratchCount += blocks[b].scratchCount
            }
        }
        for p in predictors.indices {
            for t in predictors[p].terms.indices {
                predictors[p].terms[t].correlationOffset = blocks[predictors[p].terms[t].block].correlationOffset
                predictors[p].terms[t].zOffset = blocks[predictors[p].terms[t].block].zOffset
            }
        }
        self.blocks = blocks
        var predictorOfAuxiliary = [Int](repeating: -1, count: auxiliary.count)
        var auxiliaryOffset = [Int](repeating: -1, count: auxiliary.count)
        for (a, parameter) in auxiliary.enumerated() {
            if let p = predictors.firstIndex(where: { $0.parameter == parameter }) {
                predictorOfAuxiliary[a] = p
            } else {
                auxiliaryOffset[a] = offset
                offset += 1
                if !parameter.isUnbounded { constant -= priors.auxiliary[a].logProbabilityAbove(parameter.lowerBound) }
            }
        }
        self.predictors = predictors
        self.predictorOfAuxiliary = predictorOfAuxiliary
        self.auxiliaryOffset = auxiliaryOffset
        dimension = offset
        let descriptor = family.descriptor
        response = design.response.map { descriptor.modelScaleResponse($0) }
        trials = design.trials ?? [Double](repeating: 1, count: n)
        logResponse = design.response.map { $0 > 0 ? log($0) : 0 }
        rowCount = n
        weights = design.additions?.weights
        if let weights = design.additions?.weights {
            // Each row's constant times its weight.
            for i in 0..<n { constant += weights[i] * family.dataConstant(response: [response[i]], trials: [trials[i]]) }
        } else {
            constant += family.dataConstant(response: response, trials: trials)
        }
        constant -= Double(zCount) * halfLogTwoPi
        self.constant = constant
        self.etaStart = etaStart
        rowAuxiliaryStart = scratchCount
        rowAuxiliaryGradientStart = rowAuxiliaryStart + auxiliary.count
        linkDerivativeStart = rowAuxiliaryGradientStart + auxiliary.count
        constantAuxiliaryStart = linkDerivativeStart + auxiliary.count
        constantAuxiliaryGradientStart = constantAuxiliaryStart + auxiliary.count
        scratch = PosteriorScratch(count: constantAuxiliaryGradientStart + auxiliary.count)
    }

    /// The checks of a distributional model, each one line: every dpar is one of the family's
    /// auxiliary parameters and is given once, the designs cover the same rows, and the parts brms
    /// allows but this engine does not fit yet are refused.
    static func check(design: ModelDesign, parameters: [(AuxiliaryParameter, ModelDesign)], family: Family) throws {
        if family.kind == .cumulative {
            throw DistributionalModelError("bf(): family cumulative has no auxiliary parameter to predict")
        }
        if let additions = design.additions,
           additions.standardErrors != nil || additions.censoring != nil || additions.isTruncated {
            throw DistributionalModelError("bf(): addition terms se(), cens() and trunc() are not supported with predicted auxiliary parameters yet (weights() is)")
        }
        if !design.monotonic.isEmpty {
            throw DistributionalModelError("bf(): mo() terms are not supported with predicted auxiliary parameters yet")
        }
        var seen = Set<AuxiliaryParameter>()
        for (parameter, dparDesign) in parameters {
            guard family.auxiliaryParameters.contains(parameter) else {
                throw DistributionalModelError("bf(): family \(family.rawValue) has no parameter '\(parameter.rawValue)'"
                    + (family.auxiliaryParameters.isEmpty ? "" : " (its auxiliary parameters: \(family.auxiliaryParameters.map(\.rawValue).joined(separator: ", ")))"))
            }
            guard seen.insert(parameter).inserted else {
                throw DistributionalModelError("bf(): '\(parameter.rawValue)' is predicted twice")
            }
            guard dparDesign.sourceLines == design.sourceLines else {
                throw DistributionalModelError("bf(): the formula of \(parameter.rawValue) drops rows (missing values) that the formula of the mean keeps; remove those rows from the data")
            }
        }
    }

    /// brms 2.18's default priors of the model (see `DistributionalPriors`).
    static func defaultPriors(design: ModelDesign, predictors: [DistributionalPredictor], family: Family) -> DistributionalPriors {
        let linkScale = PriorSet.defaultScaleLocation(response: design.response, link: family.hasLogScale ? .log : family.link,
                                                      isFactor: design.responseLevels != nil)
        let identityScale = PriorSet.defaultScaleLocation(response: design.response, link: family.hasLogScale ? .log : .identity,
                                                          isFactor: design.responseLevels != nil)
        let sdPrior = PriorDistribution.studentT(degreesOfFreedom: 3, location: 0, scale: linkScale.scale)
        var intercept: [PriorDistribution] = []
        for predictor in predictors {
            if !predictor.hasIntercept {
                intercept.append(.flat)
            } else if let parameter = predictor.parameter {
                intercept.append(parameter.distributionalInterceptPrior ?? .flat)
            } else {
                intercept.append(.studentT(degreesOfFreedom: 3, location: linkScale.location, scale: linkScale.scale))
            }
        }
        return DistributionalPriors(
            intercept: intercept,
            coefficients: predictors.map { [PriorDistribution](repeating: .flat, count: $0.coefficientCount) },
            standardDeviations: predictors.map { $0.terms.map { [PriorDistribution](repeating: sdPrior, count: $0.columnCount) } },
            correlationEta: predictors.map { $0.terms.map { _ in 1 } },
            auxiliary: family.auxiliaryParameters.map { $0.defaultPrior(identityScale: identityScale.scale) })
    }

    public mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                    gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        precondition(position.count == dimension && gradient.count == dimension, "dimension mismatch")
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.clone() }
        return evaluate(position.baseAddress!, gradient.baseAddress!, scratch.pointer)
    }

    private func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                          _ s: UnsafeMutablePointer<Double>) -> Double {
        for i in 0..<dimension { g[i] = 0 }
        let n = rowCount
        var lp = constant
        // Group-level effects of every block: r_j = diag(sd) L z_j.
        for block in blocks {
            let q = block.columnCount
            let factor = s + block.factorStart, sd = s + block.sdStart, r = s + block.effectStart
            if q > 1 {
                lp += CholeskyCorrelationTransform.constrain(x + block.correlationOffset, dimension: q, into: factor)
            } else {
                factor[0] = 1
            }
            for m in block.memberPredictors.indices {
                let term = predictors[block.memberPredictors[m]].terms[block.memberTerms[m]]
                for k in 0..<term.columnCount {
                    lp += x[term.sdOffset + k]
                    sd[term.blockColumn + k] = exp(x[term.sdOffset + k])
                }
            }
            let z = x + block.zOffset
            for j in 0..<block.levelCount {
                for k in 0..<q {
                    var w = 0.0
                    for l in 0...k { w += factor[k * q + l] * z[j * q + l] }
                    r[j * q + k] = sd[k] * w
                }
            }
        }
        // Linear predictors: Intercept + X_c b (+ offset) + Σ_t Z_t r_t.
        for (p, predictor) in predictors.enumerated() {
            let eta = s + etaStart + p * n
            let intercept = predictor.hasIntercept ? x[predictor.interceptOffset] : 0
            let width = predictor.coefficientCount
            let b = x + predictor.coefficientOffset
            predictor.centredColumns.withUnsafeBufferPointer { columns in
                for i in 0..<n {
                    var value = intercept
                    for k in 0..<width { value += columns[i * width + k] * b[k] }
                    eta[i] = value
                }
            }
            if let offset = predictor.offset { for i in 0..<n { eta[i] += offset[i] } }
            for term in predictor.terms {
                let q = term.columnCount, width = blocks[term.block].columnCount
                let r = UnsafePointer(s + blocks[term.block].effectStart + term.blockColumn)
                term.values.withUnsafeBufferPointer { values in
                    term.levelIndex.withUnsafeBufferPointer { levels in
                        for i in 0..<n {
                            let effects = r + levels[i] * width
                            var value = 0.0
                            for k in 0..<q { value += values[i * q + k] * effects[k] }
                            eta[i] += value
                        }
                    }
                }
            }
        }
        // Constant auxiliary parameters: x = bound + eʸ (logistic for a probability, y itself when
        // unbounded) with the log-Jacobian.
        let constantValues = s + constantAuxiliaryStart, constantGradients = s + constantAuxiliaryGradientStart
        for (a, parameter) in auxiliaryParameters.enumerated() {
            constantGradients[a] = 0
            let offset = auxiliaryOffset[a]
            guard offset >= 0 else { continue }
            let y = x[offset]
            if parameter.isUnbounded {
                constantValues[a] = y
            } else if parameter.isProbability {
                constantValues[a] = inverseLogit(y)
                lp -= log1pexp(-y) + log1pexp(y)
            } else {
                constantValues[a] = parameter.lowerBound + exp(y)
                lp += y
            }
        }
        // The rows; each η becomes ∂ℓ/∂η.
        lp += response.withUnsafeBufferPointer { response in
            trials.withUnsafeBufferPointer { trials in
                logResponse.withUnsafeBufferPointer { logResponse in
                    predictorOfAuxiliary.withUnsafeBufferPointer { predictorOf in
                        family.visit(DistributionalRowPass(
                            rowCount: n, parameters: auxiliaryParameters, predictorOfAuxiliary: predictorOf.baseAddress!,
                            weights: weights,
                            response: response.baseAddress!, trials: trials.baseAddress!, logResponse: logResponse.baseAddress!,
                            eta: s + etaStart, constantValues: constantValues, constantGradients: constantGradients,
                            rowAuxiliary: s + rowAuxiliaryStart, rowAuxiliaryGradient: s + rowAuxiliaryGradientStart,
                            linkDerivative: s + linkDerivativeStart))
                    }
                }
            }
        }
        // Back through each predictor, with the priors; ∂/∂r gathered per block.
        for block in blocks {
            let rGradient = s + block.effectGradientStart
            for i in 0..<(block.levelCount * block.columnCount) { rGradient[i] = 0 }
        }
        for (p, predictor) in predictors.enumerated() {
            let etaGradient = UnsafePointer(s + etaStart + p * n)
            if predictor.hasIntercept {
                var sum = 0.0
                for i in 0..<n { sum += etaGradient[i] }
                let prior = priors.intercept[p].logDensityAndDerivative(x[predictor.interceptOffset])
                lp += prior.value
                g[predictor.interceptOffset] = sum + prior.derivative
            }
            let width = predictor.coefficientCount
            predictor.centredColumns.withUnsafeBufferPointer { columns in
                for k in 0..<width {
                    var sum = 0.0
                    for i in 0..<n { sum += etaGradient[i] * columns[i * width + k] }
                    let prior = priors.coefficients[p][k].logDensityAndDerivative(x[predictor.coefficientOffset + k])
                    lp += prior.value
                    g[predictor.coefficientOffset + k] = sum + prior.derivative
                }
            }
            for term in predictor.terms {
                let q = term.columnCount, width = blocks[term.block].columnCount
                let rGradient = s + blocks[term.block].effectGradientStart + term.blockColumn
                term.values.withUnsafeBufferPointer { values in
                    term.levelIndex.withUnsafeBufferPointer { levels in
                        for i in 0..<n {
                            let gr = rGradient + levels[i] * width
                            for k in 0..<q { gr[k] += etaGradient[i] * values[i * q + k] }
                        }
                    }
                }
            }
        }
        for block in blocks {
            let q = block.columnCount
            let factor = s + block.factorStart, factorAdjoint = s + block.factorAdjointStart
            let sd = s + block.sdStart, sdGradient = s + block.sdGradientStart
            let rGradient = s + block.effectGradientStart
            for i in 0..<(q * q) { factorAdjoint[i] = 0 }
            for k in 0..<q { sdGradient[k] = 0 }
            let z = x + block.zOffset, gz = g + block.zOffset
            for j in 0..<block.levelCount {
                for k in 0..<q {
                    var w = 0.0
                    for l in 0...k { w += factor[k * q + l] * z[j * q + l] }
                    let grk = rGradient[j * q + k]
                    sdGradient[k] += grk * w
                    let gw = sd[k] * grk
                    for l in 0...k {
                        gz[j * q + l] += factor[k * q + l] * gw
                        factorAdjoint[k * q + l] += gw * z[j * q + l]
                    }
                }
                for l in 0..<q {
                    lp -= 0.5 * z[j * q + l] * z[j * q + l]
                    gz[j * q + l] -= z[j * q + l]
                }
            }
            for m in block.memberPredictors.indices {
                let p = block.memberPredictors[m], t = block.memberTerms[m]
                let term = predictors[p].terms[t]
                for k in 0..<term.columnCount {
                    let c = term.blockColumn + k
                    let prior = priors.standardDeviations[p][t][k].logDensityAndDerivative(sd[c])
                    lp += prior.value
                    g[term.sdOffset + k] = (sdGradient[c] + prior.derivative) * sd[c] + 1
                }
            }
            if q > 1 {
                // A block's LKJ(η) is its first member's (every member's, unless priors differ).
                let eta = priors.correlationEta[block.memberPredictors[0]][block.memberTerms[0]]
                lp += CholeskyCorrelationTransform.lkjLogDensity(eta: eta, factor: factor, dimension: q, factorAdjoint: factorAdjoint)
                CholeskyCorrelationTransform.addGradient(x + block.correlationOffset, dimension: q, factor: factor,
                                                         factorAdjoint: factorAdjoint, yAdjoint: g + block.correlationOffset)
            }
        }
        for (a, parameter) in auxiliaryParameters.enumerated() {
            let offset = auxiliaryOffset[a]
            guard offset >= 0 else { continue }
            let value = constantValues[a]
            let prior = priors.auxiliary[a].logDensityAndDerivative(value)
            lp += prior.value
            if parameter.isUnbounded {
                g[offset] = constantGradients[a] + prior.derivative
            } else if parameter.isProbability {
                g[offset] = (constantGradients[a] + prior.derivative) * (value * (1 - value)) + (1 - 2 * value)
            } else {
                g[offset] = (constantGradients[a] + prior.derivative) * (value - parameter.lowerBound) + 1
            }
        }
        return lp
    }
}

/// The rows of a distributional model for family `F`: for each row its auxiliary values (a
/// predicted one through its inverse link), then F's `RowLikelihood` for that one row (value,
/// ∂ℓ/∂η_μ, ∂ℓ/∂auxiliary), and the chain rule onto each dpar's η; a constant parameter's
/// derivative is summed over the rows.
private struct DistributionalRowPass: ResponseFamilyVisitor {
    let rowCount: Int
    let parameters: [AuxiliaryParameter]
    let predictorOfAuxiliary: UnsafePointer<Int>
    /// brms' weights(w) of the rows (nil: 1).
    let weights: [Double]?
    let response: UnsafePointer<Double>, trials: UnsafePointer<Double>, logResponse: UnsafePointer<Double>
    /// η per predictor (rowCount each, the mean's first), replaced by ∂ℓ/∂η.
    let eta: UnsafeMutablePointer<Double>
    let constantValues: UnsafePointer<Double>
    let constantGradients: UnsafeMutablePointer<Double>
    let rowAuxiliary: UnsafeMutablePointer<Double>, rowAuxiliaryGradient: UnsafeMutablePointer<Double>
    let linkDerivative: UnsafeMutablePointer<Double>

    @inline(__always)
    func visit<F: ResponseFamily>(_ family: F.Type) -> Double {
        let count = parameters.count, n = rowCount
        var value = 0.0
        parameters.withUnsafeBufferPointer { parameters in
            for i in 0..<n {
                for a in 0..<count {
                    let p = predictorOfAuxiliary[a]
                    rowAuxiliaryGradient[a] = 0
                    if p < 0 {
                        rowAuxiliary[a] = constantValues[a]
                    } else {
                        let link = parameters[a].inverseDistributionalLink(eta[p * n + i])
                        rowAuxiliary[a] = link.value
                        linkDerivative[a] = link.derivative
                    }
                }
                var rows = F.Rows(auxiliary: rowAuxiliary, rowCount: 1, sumLogResponse: logResponse[i])
                let term = rows.add(response: response[i], trials: trials[i], eta: eta[i])
                let w = weights?[i] ?? 1
                value += w * (term.value + rows.finish(auxiliaryGradient: rowAuxiliaryGradient))
                eta[i] = w * term.etaDerivative
                for a in 0..<count {
                    let p = predictorOfAuxiliary[a]
                    if p < 0 {
                        constantGradients[a] += w * rowAuxiliaryGradient[a]
                    } else {
                        eta[p * n + i] = w * rowAuxiliaryGradient[a] * linkDerivative[a]
                    }
                }
            }
        }
        return value
    }
}
