import XCTest
import MultilevelAVX2
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The fast row pass (rows ordered by level and cut into chunks, `PosteriorColumns`; the
/// families' two-rows-at-a-time `addBlock` with the table exponential and, for bernoulli, the
/// logarithm of products) against the straightforward formula written row by row over the rows
/// in their original order: y η − n log(1 + e^η) with glibc's `log1p` and `exp`, ∂/∂η =
/// y − n/(1 + e^(−η)), the θ gradient scattered row by row. η spans ±40 and beyond.
final class RowPassAccuracyTests: XCTestCase {
    /// A model of one of five shapes on `rows` rows: the sorted term (many levels of uneven size
    /// in random order, one level larger than a block) with a column of ones, with ones and a
    /// slope plus a crossed term, with a slope only (no intercept anywhere), no term at all, or
    /// (shape 4) `y ~ x1 + (1 | g)`, the shape of `PosteriorColumns.fusedBernoulliPass`.
    static func design(shape: Int, rows: Int, family: Family, seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var x: [[Double]] = [], y: [Double] = [], trials: [Double] = []
        var g: [String] = [], h: [String] = []
        var ones: [Double] = [], slope: [Double] = [], interceptAndSlope: [Double] = []
        for i in 0..<rows {
            let x1 = rng.nextNormal(), x2 = rng.nextUniform(-1, 1)
            x.append(shape == 2 ? [x1] : shape == 4 ? [1, x1] : [1, x1, x2])
            // Level 0 takes 700 rows, the others 1 to ~12 rows each, in shuffled order.
            let level = i < 700 ? 0 : 1 + Int(rng.nextUniform() * Double(rows - 700) / 6)
            g.append(String(level))
            h.append(String(Int(rng.nextUniform() * 7)))
            ones.append(1)
            slope.append(x1)
            interceptAndSlope += [1, x1]
            let n = family == .binomial ? Double(1 + Int(rng.nextUniform() * 10)) : 1
            trials.append(n)
            switch family {
            case .bernoulli: y.append(rng.nextUniform() < 0.5 ? 1 : 0)
            case .binomial: y.append(Double(Int(rng.nextUniform() * (n + 1))))
            default: y.append(Double(Int(rng.nextUniform() * 30)))
            }
        }
        // Shuffle the rows so that the sorted term's levels are interleaved.
        var order = Array(0..<rows)
        for i in stride(from: rows - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.nextUniform() * Double(i + 1))) }
        func permuted<T>(_ a: [T]) -> [T] { order.map { a[$0] } }
        let gTerm = PosteriorTestData.grouping("g", permuted(g)), hTerm = PosteriorTestData.grouping("h", permuted(h))
        let slopes = permuted(slope), pairs = order.flatMap { [interceptAndSlope[2 * $0], interceptAndSlope[2 * $0 + 1]] }
        let terms: [RandomEffectTerm]
        switch shape {
        case 0, 4: terms = [RandomEffectTerm(grouping: gTerm, columnNames: ["(Intercept)"], values: ones, text: "(1 | g)")]
        case 1: terms = [RandomEffectTerm(grouping: hTerm, columnNames: ["(Intercept)"], values: ones, text: "(1 | h)"),
                         RandomEffectTerm(grouping: gTerm, columnNames: ["(Intercept)", "x1"], values: pairs,
                                          text: "(1 + x1 | g)")]
        case 2: terms = [RandomEffectTerm(grouping: gTerm, columnNames: ["x1"], values: slopes, text: "(0 + x1 | g)"),
                         RandomEffectTerm(grouping: hTerm, columnNames: ["(Intercept)"], values: ones, text: "(1 | h)")]
        default: terms = []
        }
        return PosteriorTestData.design(formula: "y ~ …", response: "y", y: permuted(y),
                                        trials: family == .binomial ? permuted(trials) : nil, x: permuted(x),
                                        names: shape == 2 ? ["x1"] : shape == 4 ? ["(Intercept)", "x1"]
                                            : ["(Intercept)", "x1", "x2"], terms: terms)
    }

    /// The fast pass as `GLMMPosterior.rowPass` runs it, with the given kernels (families without
    /// an AVX2 pass ignore them): value and θ gradient.
    static func fastPass<Rows: RowLikelihood>(_ type: Rows.Type, _ columns: PosteriorColumns, _ theta: [Double],
                                              kernels: VectorKernels = .portable) -> (value: Double, gradient: [Double]) {
        var rows = Rows(auxiliary: [0.0], rowCount: columns.rowCount, sumLogResponse: 0)
        rows.useKernels(kernels)
        var gradient = [Double](repeating: 0, count: theta.count)
        var block = [Double](repeating: 0, count: 3 * PosteriorColumns.blockSize)
        var value = 0.0
        theta.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in
                block.withUnsafeMutableBufferPointer { buffer in
                    let eta = buffer.baseAddress!, work = eta + PosteriorColumns.blockSize
                    for b in 0..<columns.blockCount {
                        let (start, count) = columns.blockRows(b)
                        columns.linearPredictor(block: b, theta: t.baseAddress!, eta: eta)
                        value += rows.addBlock(count: count, response: columns.response + start,
                                               trials: columns.trials + start, eta: eta, work: work)
                        columns.addGradient(block: b, derivative: eta, thetaGradient: g.baseAddress!)
                    }
                }
            }
        }
        return (value, gradient)
    }

    /// `PosteriorColumns.fusedBernoulliPass` with the given kernels: value and θ gradient.
    static func fusedPass(_ columns: PosteriorColumns, _ theta: [Double],
                          kernels: VectorKernels) -> (value: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: theta.count)
        let value = theta.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in
                columns.fusedBernoulliPass(theta: t.baseAddress!, thetaGradient: g.baseAddress!, kernels: kernels)
            }
        }
        return (value, gradient)
    }

    /// The kernels this processor can run: the portable ones, and AVX2 where it has it.
    static var runnableKernels: [VectorKernels] {
        VectorKernels.processorSupportsAVX2 ? [.portable, .avx2] : [.portable]
    }

    /// The straightforward formula, row by row in the data's order, with the scale each result is
    /// compared at: Σ|ℓᵢ| for the value, Σ (|yᵢ| + |nᵢ μᵢ|)·|xᵢⱼ| for gradient component j (the size
    /// of the two terms whose difference is ∂ℓ/∂η).
    static func referencePass(_ data: PosteriorData, _ family: Family, _ theta: [Double])
        -> (value: Double, gradient: [Double], valueScale: Double, gradientScale: [Double], largestEta: Double) {
        var value = 0.0, valueScale = 0.0, largest = 0.0
        var gradient = [Double](repeating: 0, count: theta.count), scale = gradient
        let p = data.fixedColumnCount, width = data.termValueWidth
        for i in 0..<data.rowCount {
            var eta = 0.0
            for m in 0..<p { eta += data.fixed[i * p + m] * theta[m] }
            for t in 0..<data.termCount {
                for k in 0..<data.termColumnCounts[t] {
                    eta += data.termValues[i * width + data.termValueOffsets[t] + k]
                        * theta[data.termThetaIndex[i * data.termCount + t] + k]
                }
            }
            largest = max(largest, abs(eta))
            let y = data.response[i], n = data.trials[i]
            let term: Double, derivative: Double, mean: Double
            if family == .poisson {
                mean = n * exp(eta)
                term = y * eta - mean
                derivative = y - mean
            } else {
                mean = n / (1 + exp(-eta))
                term = y * eta - n * (eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta)))
                derivative = y - mean
            }
            value += term
            valueScale += abs(term)
            let size = abs(y) + abs(mean)
            for m in 0..<p {
                gradient[m] += derivative * data.fixed[i * p + m]
                scale[m] += size * abs(data.fixed[i * p + m])
            }
            for t in 0..<data.termCount {
                for k in 0..<data.termColumnCounts[t] {
                    let z = data.termValues[i * width + data.termValueOffsets[t] + k]
                    let index = data.termThetaIndex[i * data.termCount + t] + k
                    gradient[index] += derivative * z
                    scale[index] += size * abs(z)
                }
            }
        }
        return (value, gradient, valueScale, scale, largest)
    }

    func testFastRowPassMatchesTheRowByRowFormula() {
        var worstValue = 0.0, worstGradient = 0.0
        for family in [Family.bernoulli, .binomial, .poisson] {
            for shape in 0..<5 {
                let design = Self.design(shape: shape, rows: 2_103, family: family, seed: UInt64(10 * shape + 1))
                let data = PosteriorData(design: design, family: family, mergeRows: false)
                let columns = PosteriorColumns(data: data, hasIntercept: design.hasIntercept)
                XCTAssertEqual(columns.hasUnitTrials, family != .binomial)
                XCTAssertGreaterThan(columns.blockCount, 4)
                var rng = Xoshiro256PlusPlus(seed: UInt64(shape + 100))
                // Coefficients large enough to push |η| past 40 (poisson: up to about 30).
                let spread = family == .poisson ? 14.0 : 40.0
                let theta = (0..<data.thetaCount).map { _ in spread * rng.nextNormal() / (shape == 3 ? 1 : 2) }
                let reference = Self.referencePass(data, family, theta)
                XCTAssertGreaterThan(reference.largestEta, family == .poisson ? 20 : 40, "\(family) shape \(shape)")
                var results = family == .poisson
                    ? Self.runnableKernels.map { Self.fastPass(PoissonRows.self, columns, theta, kernels: $0) }
                    : [Self.fastPass(BinomialRows.self, columns, theta)]
                if family == .bernoulli {
                    results += Self.runnableKernels.map { Self.fastPass(BernoulliRows.self, columns, theta, kernels: $0) }
                }
                XCTAssertEqual(columns.hasFusedBernoulliShape, shape == 4 && family != .binomial, "\(family) shape \(shape)")
                if family == .bernoulli && columns.hasFusedBernoulliShape {
                    results += Self.runnableKernels.map { Self.fusedPass(columns, theta, kernels: $0) }
                }
                for result in results {
                    let valueError = abs(result.value - reference.value) / reference.valueScale
                    XCTAssertLessThanOrEqual(valueError, 1e-13, "\(family) shape \(shape) value")
                    worstValue = max(worstValue, valueError)
                    for j in theta.indices where reference.gradientScale[j] > 0 {
                        let error = abs(result.gradient[j] - reference.gradient[j]) / reference.gradientScale[j]
                        XCTAssertLessThanOrEqual(error, 1e-13, "\(family) shape \(shape) θ[\(j)]")
                        worstGradient = max(worstGradient, error)
                    }
                }
            }
        }
        print("row pass vs row-by-row formula: value \(worstValue), gradient \(worstGradient) (relative to the terms' scale)")
    }

    /// The AVX2 fused pass against the portable one where |η| reaches past the exponential's
    /// clamp at −708 (both give e^(−|η|) = e^(−708) there, far below 1 + e's rounding), on row
    /// counts that end the last chunk with one, two and three rows past a multiple of four (the
    /// lane-by-lane tail) and chunks of every length mod 4 (the masked full-width tail).
    func testAVX2FusedPassMatchesThePortablePass() throws {
        guard VectorKernels.processorSupportsAVX2 else { throw XCTSkip("the processor has no AVX2 and FMA") }
        var tailLengths = Set<Int>()
        var anyBitDiffers = false
        for rows in [2_101, 2_102, 2_103, 2_104] {
            let design = Self.design(shape: 4, rows: rows, family: .bernoulli, seed: UInt64(rows))
            let data = PosteriorData(design: design, family: .bernoulli, mergeRows: false)
            let columns = PosteriorColumns(data: data, hasIntercept: true)
            XCTAssertTrue(columns.hasFusedBernoulliShape)
            let lastChunk = columns.blockFirstChunk[columns.blockCount] - 1
            let lastStart = lastChunk > 0 ? Int(columns.chunkEnd[lastChunk - 1]) : 0
            tailLengths.insert((rows - lastStart) % 4)
            var rng = Xoshiro256PlusPlus(seed: UInt64(rows + 7))
            for spread in [3.0, 40.0, 900.0] {
                let theta = (0..<data.thetaCount).map { _ in spread * rng.nextNormal() }
                let portable = Self.fusedPass(columns, theta, kernels: .portable)
                let avx2 = Self.fusedPass(columns, theta, kernels: .avx2)
                let reference = Self.referencePass(data, .bernoulli, theta)
                if spread > 100 { XCTAssertGreaterThan(reference.largestEta, 708) }
                anyBitDiffers = anyBitDiffers || avx2.value != portable.value || avx2.gradient != portable.gradient
                // η = (b₀ + r_g) + b₁ x rounds once here (a fused multiply–add) and twice in the
                // portable pass: an ulp of |η| apart, which e^(−|η|) turns into a relative
                // difference of that size; the rest agrees to a few ulps.
                let tolerance = 8 * Double.ulpOfOne * max(1, reference.largestEta)
                XCTAssertLessThanOrEqual(abs(avx2.value - portable.value) / reference.valueScale, tolerance,
                                         "\(rows) rows, spread \(spread)")
                for j in theta.indices where reference.gradientScale[j] > 0 {
                    XCTAssertLessThanOrEqual(abs(avx2.gradient[j] - portable.gradient[j]) / reference.gradientScale[j],
                                             tolerance, "\(rows) rows, spread \(spread), θ[\(j)]")
                }
            }
        }
        XCTAssertGreaterThanOrEqual(tailLengths.count, 3, "the last chunks should end at several lengths mod 4")
        // Four lanes sum in another order than two: identical bits everywhere would mean the AVX2
        // kernel did not run.
        XCTAssertTrue(anyBitDiffers)
    }

    /// The AVX2 passes' exponentials (degree-13 polynomial in Estrin's scheme, no table) against
    /// glibc's `exp`: e^(−|x|) over [−708, 0] (the Bernoulli passes) and eˣ over [−708, 709] (the
    /// Poisson pass), and at the clamps; within two units in the last place.
    func testAVX2ExponentialMatchesLibm() throws {
        guard VectorKernels.processorSupportsAVX2 else { throw XCTSkip("the processor has no AVX2 and FMA") }
        var arguments = PosteriorRowPassTests.exponentialArguments([-708, 708, 709], reductions: -1_022...1_022,
                                                                    seed: 13, upper: 709)
            .filter { $0 >= -708 && $0 <= 709 }
        arguments += [-1e6, 1e6, -.infinity, .infinity]
        while arguments.count % 4 != 0 { arguments.append(0) }
        var worst = 0.0
        for negativeMagnitude in [true, false] {
            var result = [Double](repeating: 0, count: arguments.count)
            result.withUnsafeMutableBufferPointer {
                exponentialsAVX2(arguments, into: $0.baseAddress!, count: arguments.count, negativeMagnitude: negativeMagnitude)
            }
            for (x, value) in zip(arguments, result) {
                let expected = negativeMagnitude ? exp(-min(abs(x), 708)) : exp(min(max(x, -708), 709))
                worst = max(worst, abs(value - expected) / expected)
                XCTAssertLessThanOrEqual(abs(value - expected) / expected, 2 * Double.ulpOfOne,
                                         "exp(\(negativeMagnitude ? "-|\(x)|" : "\(x)"))")
            }
        }
        print("AVX2 exponential: worst relative error \(worst / Double.ulpOfOne) ulp")
    }

    /// The rows are ordered by the level of the term with the most levels, stably (rows of one
    /// level keep their order), and every chunk holds rows of one level inside one block.
    func testRowsAreOrderedByLevelInChunks() {
        let design = Self.design(shape: 1, rows: 2_103, family: .bernoulli, seed: 3)
        let data = PosteriorData(design: design, family: .bernoulli, mergeRows: false)
        let columns = PosteriorColumns(data: data, hasIntercept: true)
        XCTAssertEqual(columns.rowOrder.sorted(), Array(0..<data.rowCount))
        let sortedTerm = 1
        let key = columns.rowOrder.map { data.termThetaIndex[$0 * data.termCount + sortedTerm] }
        for i in 1..<key.count {
            XCTAssertTrue(key[i - 1] < key[i] || (key[i - 1] == key[i] && columns.rowOrder[i - 1] < columns.rowOrder[i]))
        }
        var row = 0
        for b in 0..<columns.blockCount {
            let (start, count) = columns.blockRows(b)
            XCTAssertEqual(row, start)
            for k in columns.blockFirstChunk[b]..<columns.blockFirstChunk[b + 1] {
                let end = Int(columns.chunkEnd[k])
                XCTAssertGreaterThan(end, row)
                XCTAssertLessThanOrEqual(end, start + count)
                for i in row..<end { XCTAssertEqual(key[i], Int(columns.chunkTheta[k])) }
                row = end
            }
            XCTAssertEqual(row, start + count)
        }
        XCTAssertEqual(row, data.rowCount)
    }

    /// The two-argument table exponential against glibc's `exp` over [−708, 709], at the table's
    /// and the reduction's boundaries; within two units in the last place.
    func testTableExponentialMatchesLibm() {
        var arguments: [Double] = [0, -0.0, 1e-300, -1e-300, 1e-10, -1e-10, 0.5, -0.5, 1, -1, 700, -700, -708, 709]
        for k in -261_000...261_000 where k % 97 == 0 {
            let center = Double(k) * 0.693_147_180_559_945_3 / 256
            arguments += [center, center + 0.693_147_180_559_945_3 / 512, center - 0.693_147_180_559_945_3 / 512]
        }
        var rng = Xoshiro256PlusPlus(seed: 12)
        for _ in 0..<20_000 { arguments.append(rng.nextUniform(-708, 709)) }
        for _ in 0..<20_000 { arguments.append(rng.nextUniform(-5, 5)) }
        let table = PosteriorExponentialTable.shared.bits
        var worst = 0.0
        for x in arguments where abs(x) <= 708 {
            let pair = posteriorExp(SIMD2(x, -abs(x)), table: table)
            let negative = posteriorExpOfNegativeMagnitude(SIMD2(x, x), table: table)
            for (value, expected) in [(pair[0], exp(x)), (pair[1], exp(-abs(x))), (negative[0], exp(-abs(x)))] {
                worst = max(worst, abs(value - expected) / expected)
            }
        }
        XCTAssertLessThanOrEqual(worst, 2 * Double.ulpOfOne)
        XCTAssertEqual(posteriorExp(SIMD2(709, 0), table: table)[0], exp(709.0), accuracy: 2 * Double.ulpOfOne * exp(709.0))
        let clamped = posteriorExp(SIMD2(-1e6, 1e6), table: table)
        XCTAssertEqual(clamped[0], exp(-708.0), accuracy: 2 * Double.ulpOfOne * exp(-708.0))
        XCTAssertEqual(clamped[1], exp(709.0), accuracy: 2 * Double.ulpOfOne * exp(709.0))
        XCTAssertEqual(posteriorExpOfNegativeMagnitude(SIMD2(-.infinity, .infinity), table: table)[1], exp(-708.0),
                       accuracy: 2 * Double.ulpOfOne * exp(-708.0))
    }
}
