#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// Maps an unconstrained draw to the quantities brms reports, in brms' order (DESIGN §3):
///
///     b_Intercept = Intercept − x̄ · b,  b_<coef>,  sd_<group>__<coef>,  cor_<group>__<coef1>__<coef2>,
///     bsp_mo<x>,  sigma / shape / nu,  simo_mo<x>1[k],  r_<group>[<level>,<coef>]
///
/// `cor_` entries are the upper triangle of L Lᵀ taken column by column ((1,2), (1,3), (2,3), …)
/// as brms' generated quantities; `r_` entries run over levels first, then columns, then terms.
/// `write` runs once per draw and allocates nothing after the first call.
public struct ConstrainedParameters: Sendable {
    /// brms names (`r_Subject[308,Intercept]`).
    public let names: [String]
    /// CmdStan CSV column names: the same, with `r_<group>[<level>,<coef>]` written
    /// `r_<group>.<level index>.<coef index>` (1-based; coef index within the group).
    public let cmdStanNames: [String]
    /// For each group name, its level labels and coefficient names in CmdStan index order (for the
    /// CSV comment block).
    public let groupIndexLabels: [(group: String, levels: [String], coefficients: [String])]
    let layout: ParameterLayout
    let columnMeans: [Double]
    var factor: [Double]
    /// Maps a hierarchically centred term's γ back to its effects r (`HierarchicalCentring`).
    let shear: HierarchicalShear
    /// The partially centred terms, parents first, the output offset of each term's r, and the
    /// γ of the partially centred terms (`PartiallyCentredGroupEffects`).
    let partialPlan: PartialCentringPlan
    let effectOutputOffsets: [Int]
    var centres: [Double]

    /// The map for a posterior's layout and predictor means.
    public init(posterior: GLMMPosterior) {
        self.init(layout: posterior.layout, columnMeans: posterior.columnMeans)
    }

    public init(layout: ParameterLayout, columnMeans: [Double]) {
        self.layout = layout
        self.columnMeans = columnMeans
        shear = HierarchicalShear(layout: layout)
        var names: [String] = []
        var cmdStan: [String] = []
        func add(_ name: String, _ cmdStanName: String? = nil) {
            names.append(name)
            cmdStan.append(cmdStanName ?? name)
        }
        if layout.thresholdCount > 0 {
            for k in 1...layout.thresholdCount { add("b_Intercept[\(k)]", "b_Intercept.\(k)") }
        } else if layout.hasIntercept {
            add("b_Intercept")
        }
        for name in layout.coefficientNames { add("b_\(name)") }
        for effect in layout.monotonic { add("bsp_\(effect.name)") }
        for term in layout.terms {
            for name in term.columnNames { add("sd_\(term.groupName)__\(name)") }
        }
        for term in layout.terms where term.hasCorrelation {
            let c = term.columnNames
            for j in 1..<c.count {
                for i in 0..<j { add("cor_\(term.groupName)__\(c[i])__\(c[j])") }
            }
        }
        for parameter in layout.auxiliaryParameters where parameter != .thresholdGap { add(parameter.rawValue) }
        for effect in layout.monotonic {
            for i in 1...effect.categoryCount { add("simo_\(effect.name)1[\(i)]", "simo_\(effect.name)1.\(i)") }
        }
        // Coefficient index within a group counts across all terms of that group.
        var groupCoefficients: [String: [String]] = [:]
        var groupOrder: [String] = []
        var groupLevels: [String: [String]] = [:]
        for term in layout.terms {
            if groupCoefficients[term.groupName] == nil {
                groupOrder.append(term.groupName)
                groupLevels[term.groupName] = term.levelNames
            }
            groupCoefficients[term.groupName, default: []].append(contentsOf: term.columnNames)
        }
        var used: [String: Int] = [:]
        var effectOffsets: [Int] = []
        for term in layout.terms {
            effectOffsets.append(names.count)
            let start = used[term.groupName, default: 0]
            used[term.groupName] = start + term.columnCount
            for (k, coefficient) in term.columnNames.enumerated() {
                for (j, level) in term.levelNames.enumerated() {
                    add("r_\(term.groupName)[\(level),\(coefficient)]", "r_\(term.groupName).\(j + 1).\(start + k + 1)")
                }
            }
        }
        self.names = names
        effectOutputOffsets = effectOffsets
        partialPlan = PartialCentringPlan(layout: layout)
        centres = [Double](repeating: 0, count: partialPlan.levelCount)
        cmdStanNames = cmdStan
        groupIndexLabels = groupOrder.map { ($0, groupLevels[$0] ?? [], groupCoefficients[$0] ?? []) }
        let maxQ = layout.terms.map(\.columnCount).max() ?? 1
        factor = [Double](repeating: 0, count: maxQ * maxQ)
    }

    /// Number of outputs.
    public var count: Int { names.count }

    /// Writes the constrained values of the unconstrained draw `x` into `output` (`count` values).
    public mutating func write(unconstrained x: UnsafeBufferPointer<Double>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == layout.dimension && output.count == names.count, "dimension mismatch")
        var buffer = factor, gammas = centres
        factor = []
        centres = []
        buffer.withUnsafeMutableBufferPointer { l in
            gammas.withUnsafeMutableBufferPointer { c in
                fill(x.baseAddress!, output.baseAddress!, l.baseAddress!, c.baseAddress)
            }
        }
        factor = buffer
        centres = gammas
    }

    /// Convenience for tests and set-up code.
    public mutating func constrained(_ x: [Double]) -> [Double] {
        var output = [Double](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xp in output.withUnsafeMutableBufferPointer { write(unconstrained: xp, into: $0) } }
        return output
    }

    private func fill(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, _ l: UnsafeMutablePointer<Double>,
                      _ centres: UnsafeMutablePointer<Double>?) {
        // Partially centred terms first, parents before children: r_j = sd^{1−λ_j} (x̂_j − λ_j μ_j).
        for entry in partialPlan.entries {
            let term = layout.terms[entry.term]
            guard let weights = term.centringWeights, let centres else { continue }
            weights.withUnsafeBufferPointer { w in
                entry.parentIndex.withUnsafeBufferPointer { parents in
                    PartiallyCentredGroupEffects.effects(
                        stored: x + term.zOffset, weights: w, followsSD: term.centringWeightsFollowSD,
                        logSD: x[term.sdOffset],
                        parentValues: entry.parentIsPartial ? UnsafePointer(centres) : x, parentIndex: parents,
                        covariates: term.centringCovariates, from: x, into: out + effectOutputOffsets[entry.term],
                        centres: entry.hasPartialChildren ? centres + entry.offset : nil)
                }
            }
        }
        var o = 0
        let coefficientCount = layout.coefficientNames.count
        if layout.thresholdCount > 0 {
            // b_Intercept[k] = τ_k + x̄ · b, τ₁ = −slot, τ_{k+1} = τ_k + δ_k (`OrdinalThresholds`).
            var value = -x[layout.interceptOffset]
            for k in 0..<coefficientCount { value += columnMeans[k] * x[k] }
            for k in 0..<layout.thresholdCount {
                if k > 0 { value += exp(x[layout.auxiliaryOffset + k - 1]) }
                out[o] = value; o += 1
            }
        } else if layout.hasIntercept {
            var value = x[layout.interceptOffset]
            for k in 0..<coefficientCount { value -= columnMeans[k] * x[k] }
            out[o] = value; o += 1
        }
        for k in 0..<coefficientCount { out[o] = x[k]; o += 1 }
        for effect in layout.monotonic { out[o] = x[effect.coefficientOffset]; o += 1 }
        for term in layout.terms {
            for k in 0..<term.columnCount { out[o] = exp(x[term.sdOffset + k]); o += 1 }
        }
        for term in layout.terms where term.hasCorrelation {
            let q = term.columnCount
            CholeskyCorrelationTransform.constrain(x + term.correlationOffset, dimension: q, into: l)
            for j in 1..<q {
                for i in 0..<j {
                    var sum = 0.0
                    for m in 0...i { sum += l[i * q + m] * l[j * q + m] }
                    out[o] = sum; o += 1
                }
            }
        }
        for (a, parameter) in layout.auxiliaryParameters.enumerated() where parameter != .thresholdGap {
            let y = x[layout.auxiliaryOffset + a]
            out[o] = parameter.isUnbounded ? y : parameter.isProbability ? inverseLogit(y)
                : LowerBoundTransform.constrain(y, lowerBound: parameter.lowerBound)
            o += 1
        }
        for effect in layout.monotonic {
            SimplexTransform.constrain(x + effect.simplexOffset, size: effect.categoryCount, into: out + o)
            o += effect.categoryCount
        }
        for (t, term) in layout.terms.enumerated() {
            let q = term.columnCount
            if term.centringWeights != nil {
                o += term.levelCount       // written above
                continue
            }
            if let parentIndex = shear.parentIndexByTerm[t] {
                HierarchicalShear.effects(parentIndex: parentIndex, offset: term.zOffset, from: x, into: out + o)
                for covariate in term.centringCovariates {
                    CovariateCentring.subtract(covariate, coefficient: x[covariate.coefficient], from: out + o)
                }
                o += term.levelCount
                continue
            }
            if q > 1 {
                CholeskyCorrelationTransform.constrain(x + term.correlationOffset, dimension: q, into: l)
            } else {
                l[0] = 1
            }
            if term.isCentred {
                for k in 0..<q {
                    for j in 0..<term.levelCount { out[o] = x[term.zOffset + j * q + k]; o += 1 }
                }
                continue
            }
            for k in 0..<q {
                let sd = exp(x[term.sdOffset + k])
                for j in 0..<term.levelCount {
                    let z = x + term.zOffset + j * q
                    var w = 0.0
                    for m in 0...k { w += l[k * q + m] * z[m] }
                    out[o] = sd * w; o += 1
                }
            }
        }
    }
}
