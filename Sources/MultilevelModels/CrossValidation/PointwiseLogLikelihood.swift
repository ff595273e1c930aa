import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// The pointwise log-likelihood log p(yᵢ | θˢ) of a Bayesian multilevel fit for every posterior draw
/// s and row i (brms' `log_lik`), evaluated block by block so that an n × S matrix is never held
/// whole: `block(rows:into:)` fills one block of rows for every draw.
///
/// ηᵢˢ = xᵢ·bˢ + Σ_mo moˢ(xᵢ) + Σ_terms zᵢ·rˢ[levelᵢ] from brms' constrained draws (`b_…`, `bsp_…`
/// and `simo_…` (`MonotonicEffectDraws`), `r_<group>[level,coef]`,
/// `sigma`/`shape`/`nu`); each family's density includes every constant, as brms' `log_lik` does
/// (`Family.logDensity`). Rows may be other than the fitted ones (K-fold: the held-out rows): a row
/// whose level the draws do not have gets, for each draw s, the effects rˢ of a level of the same
/// grouping factor chosen at random among the fitted ones (brms' `sample_new_levels =
/// "uncertainty"`, the default of `kfold`). Rows with brms' addition terms `se()`, `cens()`,
/// `trunc()`, `weights()` take their log-likelihood from `PointwiseAdditionTerms`.
public struct PointwiseLogLikelihood: Sendable {
    public let family: Family
    /// The rows evaluated (response, trials, X, the terms' values and level names).
    public let design: ModelDesign
    /// Total number of draws S (all chains, chain after chain) and draws per chain.
    public let drawCount: Int
    public let chainLengths: [Int]
    /// Rows of `design` whose level of some grouping factor is not among the draws' levels.
    public let newLevelRowCount: Int

    private let draws: Draws
    /// The draw columns of b and the auxiliary parameters (`FamilyDrawColumns`).
    private let columns: FamilyDrawColumns
    /// Per term: the draw columns of r for every fitted level, level-major (`level * q + j`).
    private let termColumns: [[Int]]
    /// Per term, per row: the fitted level, or −1 − (index of the row's new level).
    private let rowLevels: [[Int]]
    /// Per term: for draw s and new level ℓ, the fitted level standing in (`[s * L_new + ℓ]`).
    private let newLevelChoices: [[Int]]
    private let newLevelCounts: [Int]
    /// The rows' addition terms, when the design has any.
    private let additionTerms: PointwiseAdditionTerms?
    /// Per monotonic effect, per draw, its value at each category (`MonotonicEffectDraws`).
    private let monotonicValues: [[Double]]
    /// Per monotonic effect varied by a group-level term `(mo(x) | g)`, per draw, mo(ζ, k) at each
    /// category (the Z value of its column); empty for the others.
    private let monotonicTransforms: [[Double]]

    /// - Parameters:
    ///   - design: the rows to evaluate.
    ///   - family: the response family.
    ///   - draws: constrained draws of a fit (`BayesianFit.draws`).
    ///   - fittedLevels: per grouping factor, the levels the fit has (default: `design`'s own).
    ///   - seed: the stream choosing stand-in levels for new levels.
    public init(design: ModelDesign, family: Family, draws: Draws, fittedLevels: [String: [String]]? = nil,
                seed: UInt64 = 20261121) throws {
        func index(_ name: String) throws -> Int {
            guard let k = draws.index(of: name) else {
                throw FamilyError(message: "log-likelihood: the draws have no variable '\(name)'")
            }
            return k
        }
        self.family = family
        self.design = design
        self.draws = draws
        // se() without sigma has no sigma (`Family.auxiliaryParameters(for:)`).
        let auxiliaryParameters = family.auxiliaryParameters(for: design)
        columns = try FamilyDrawColumns(draws: draws, fixedEffectNames: design.fixedEffectNames, family: family,
                                        auxiliaryParameters: auxiliaryParameters, index: index)
        additionTerms = PointwiseAdditionTerms(design: design, family: family, auxiliaryCount: columns.auxiliary.count)
        if additionTerms != nil, !family.supportsAdditionTerms {
            throw FamilyError(message: "log-likelihood: family \(family.name) has no likelihood with the addition terms se(), cens(), weights(), trunc()")
        }
        let width = max(draws.variableCount, 1)
        chainLengths = draws.chains.map { $0.count / width }
        drawCount = chainLengths.reduce(0, +)
        let drawRows = chainLengths.enumerated().flatMap { chain, length in (0..<length).map { (chain: chain, base: $0 * width) } }
        monotonicValues = try design.monotonic.map { effect in
            try MonotonicEffectDraws.values(effect, draws: draws, rows: drawRows, index: index)
        }
        let groupLevelMonotonic = Set(design.randomTerms.flatMap(\.monotonic))
        monotonicTransforms = try design.monotonic.indices.map { m in
            guard groupLevelMonotonic.contains(m) else { return [] }
            return try MonotonicEffectDraws.values(design.monotonic[m], draws: draws, rows: drawRows, scaled: false, index: index)
        }
        var columns: [[Int]] = [], levels: [[Int]] = [], choices: [[Int]] = [], counts: [Int] = []
        var rng = Xoshiro256PlusPlus(seed: seed)
        var newRows = Set<Int>()
        for term in design.randomTerms {
            let fitted = fittedLevels?[term.grouping.name] ?? term.grouping.levels
            guard !fitted.isEmpty else {
                throw FamilyError(message: "log-likelihood: grouping factor '\(term.grouping.name)' has no fitted level")
            }
            var termColumns: [Int] = []
            for level in fitted {
                for name in term.brmsColumnNames { termColumns.append(try index("r_\(term.grouping.name)[\(level),\(name)]")) }
            }
            let position = Dictionary(fitted.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            var newIndex: [String: Int] = [:]
            let mapped = term.grouping.levels.map { level -> Int in
                if let p = position[level] { return p }
                let k = newIndex.count
                newIndex[level] = k
                return -1 - k
            }
            let rows = term.grouping.levelIndex.map { mapped[$0] }
            for (i, level) in rows.enumerated() where level < 0 { newRows.insert(i) }
            var table = [Int](repeating: 0, count: drawCount * newIndex.count)
            for k in table.indices { table[k] = Int(rng.nextUniform() * Double(fitted.count)) % fitted.count }
            columns.append(termColumns)
            levels.append(rows)
            choices.append(table)
            counts.append(newIndex.count)
        }
        termColumns = columns
        rowLevels = levels
        newLevelChoices = choices
        newLevelCounts = counts
        newLevelRowCount = newRows.count
    }

    /// Number of rows n.
    public var observationCount: Int { design.rowCount }

    /// Chain number (1-based) of each draw, as loo's `chain_id`.
    public var chainIDs: [Int] {
        chainLengths.enumerated().flatMap { [Int](repeating: $0.offset + 1, count: $0.element) }
    }

    /// Rows per block so that a block of S × rows doubles stays near `targetValues` (32 MB).
    public func blockRows(targetValues: Int = 4_000_000) -> Int {
        max(1, min(observationCount, targetValues / max(drawCount, 1)))
    }

    /// log p(yᵢ | θˢ) for the rows in `rows`, written observation-major: the S draws of row
    /// `rows.lowerBound + j` at `output[j * S ..< (j + 1) * S]`.
    public func block(rows: Range<Int>, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count >= rows.count * drawCount)
        let trials = design.trials
        var eta = [Double](repeating: 0, count: rows.count)
        var auxiliary = [Double](repeating: 0, count: columns.auxiliary.count)
        let coefficients = columns.coefficients
        let width = draws.variableCount
        var s = 0
        for chain in draws.chains {
            chain.withUnsafeBufferPointer { values in
                for d in 0..<(chain.count / max(width, 1)) {
                    let base = d * width
                    for k in auxiliary.indices { auxiliary[k] = columns.auxiliaryValue(k, values, base: base) }
                    for (j, i) in rows.enumerated() {
                        var sum = design.offset?[i] ?? 0
                        for (t, entry) in coefficients.enumerated() {
                            sum += design.fixedEffects[i, t] * (entry.sign * values[base + entry.column])
                        }
                        for (m, effect) in design.monotonic.enumerated() {
                            sum += monotonicValues[m][s * (effect.categoryCount + 1) + effect.categories[i]] * effect.covariate(i)
                        }
                        for (term, spec) in design.randomTerms.enumerated() {
                            let q = spec.columnCount
                            var level = rowLevels[term][i]
                            if level < 0 { level = newLevelChoices[term][s * newLevelCounts[term] + (-1 - level)] }
                            let effectColumns = termColumns[term]
                            let regular = spec.regularColumnCount
                            for c in 0..<regular { sum += spec.values[i * q + c] * values[base + effectColumns[level * q + c]] }
                            for (c, m) in spec.monotonic.enumerated() {
                                // (mo(x) | g): Z = mo(ζ, x) of this draw at the row's category.
                                let category = Int(spec.values[i * q + regular + c])
                                let transform = monotonicTransforms[m][s * (design.monotonic[m].categoryCount + 1) + category]
                                sum += transform * values[base + effectColumns[level * q + regular + c]]
                            }
                        }
                        eta[j] = sum
                    }
                    if let additionTerms {
                        _ = additionTerms.fill(rows: rows, eta: eta, auxiliary: auxiliary, output: output, stride: drawCount, offset: s)
                        s += 1
                        continue
                    }
                    for (j, i) in rows.enumerated() {
                        output[j * drawCount + s] = family.logDensity(y: design.response[i], trials: trials?[i] ?? 1,
                                                                      eta: eta[j], auxiliary: auxiliary)
                    }
                    s += 1
                }
            }
        }
    }

    /// The whole S × n matrix (rows = draws), for small n.
    public func matrix() -> DenseMatrix {
        var values = [Double](repeating: 0, count: drawCount * observationCount)
        values.withUnsafeMutableBufferPointer { block(rows: 0..<observationCount, into: $0) }
        return DenseMatrix(rows: drawCount, columns: observationCount, columnMajor: values)
    }
}

extension Family {
    /// log p(y | η, auxiliary) of one row with every normalising constant (brms' `log_lik`; Stan's
    /// `*_lpdf`/`*_lpmf`), from the family's own file (`ResponseFamily.logLikelihood`);
    /// `auxiliary` in the family's order (`auxiliaryParameters`).
    @inline(__always)
    public func logDensity(y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        logLikelihood(response: y, trials: trials, eta: eta, auxiliary: auxiliary)
    }
}
