/// Bound-constrained derivative-free minimisation by quadratic approximation (the idea of
/// Powell's BOBYQA, 2009, "The BOBYQA algorithm for bound constrained optimization without
/// derivatives", Cambridge NA report 2009/06): a trust-region method whose model is a quadratic
/// interpolating f at (n+1)(n+2)/2 points, with Powell's two radii (ρ, the resolution, only ever
/// decreases; Δ, the trust region, adapts within [ρ, ·]) and Lagrange-polynomial point replacement
/// to keep the interpolation set well poised. Differences from Powell's Fortran: the model is fully
/// determined (no least-Frobenius-norm updating), the interpolation system is re-solved each
/// iteration (n is the length of θ, rarely above 10), and the trust region is a box (‖s‖∞ ≤ Δ) so
/// that the subproblem is a box-constrained quadratic, solved exactly by enumerating faces for
/// n ≤ 6 and by projected gradient otherwise.
public enum BOBYQA {
    /// Settings of one minimisation.
    public struct Options: Sendable {
        /// Initial resolution ρ_beg (and trust-region radius).
        public var initialRadius: Double
        /// Final resolution ρ_end: the search stops when ρ has been reduced to this.
        public var finalRadius: Double
        /// Maximum number of function evaluations.
        public var maxEvaluations: Int

        /// Relative function tolerance: the search also stops (within 1000 ρ_end) when the model,
        /// accurate to this on its last two steps, promises less than this times max(1, |f|).
        public var functionTolerance: Double

        public init(initialRadius: Double = 0.2, finalRadius: Double = 1e-7, maxEvaluations: Int = 10_000,
                    functionTolerance: Double = 1e-13) {
            self.initialRadius = initialRadius
            self.finalRadius = finalRadius
            self.maxEvaluations = maxEvaluations
            self.functionTolerance = functionTolerance
        }
    }

    /// Outcome of a minimisation.
    public struct Result: Sendable {
        /// The best point found.
        public var x: [Double]
        /// f at `x`.
        public var value: Double
        /// Number of evaluations of f.
        public var evaluations: Int
        /// False when the evaluation budget ran out before ρ reached ρ_end.
        public var converged: Bool
    }

    /// Minimises `f` over the box `lower ≤ x ≤ upper` (use ±infinity for free coordinates),
    /// starting from `start` (projected into the box).
    public static func minimize(start: [Double], lower: [Double], upper: [Double],
                                options: Options = Options(), _ f: ([Double]) -> Double) -> Result {
        let n = start.count
        precondition(lower.count == n && upper.count == n, "BOBYQA: bounds do not match the start")
        let project = { (x: [Double]) -> [Double] in (0..<n).map { Swift.min(Swift.max(x[$0], lower[$0]), upper[$0]) } }
        var evaluations = 0
        func evaluate(_ x: [Double]) -> Double {
            evaluations += 1
            let value = f(x)
            return value.isNaN ? .infinity : value
        }
        let x0 = project(start)
        if n == 0 { return Result(x: x0, value: evaluate(x0), evaluations: evaluations, converged: true) }

        var rho = options.initialRadius
        var delta = rho
        // Initial interpolation set: x0, steps ±ρ along each axis (+2ρ when −ρ leaves the box, as
        // Powell does), and ρ(±e_i ± e_j) along the signs of the first steps.
        var points: [[Double]] = [x0]
        var firstStep = [Double](repeating: rho, count: n)
        for i in 0..<n {
            var stepPlus = rho, stepMinus = -rho
            if x0[i] + rho > upper[i] { stepPlus = -rho; stepMinus = -2 * rho }
            if x0[i] - rho < lower[i] { stepMinus = 2 * rho }
            if x0[i] + stepPlus > upper[i] || x0[i] + stepPlus < lower[i]
                || x0[i] + stepMinus > upper[i] || x0[i] + stepMinus < lower[i] {
                // Box narrower than the initial radius: use fractions of its width.
                let width = upper[i] - lower[i]
                stepPlus = (upper[i] - x0[i]) >= width / 2 ? width / 3 : -width / 3
                stepMinus = stepPlus * 2
            }
            firstStep[i] = stepPlus
            var a = x0; a[i] += stepPlus; points.append(a)
            var b = x0; b[i] += stepMinus; points.append(b)
        }
        for i in 0..<n {
            for j in (i + 1)..<n {
                var c = x0; c[i] += firstStep[i]; c[j] += firstStep[j]
                points.append(c)
            }
        }
        var values = points.map(evaluate)
        var best = values.indices.min { values[$0] < values[$1] }!

        var converged = false
        var badSteps = 0
        var recentErrors: [Double] = []
        while evaluations < options.maxEvaluations {
            let center = points[best]
            var farthestDistance = 0.0
            for point in points { farthestDistance = Swift.max(farthestDistance, infinityDistance(point, center)) }
            let scale = Swift.max(farthestDistance, 1e-300)
            guard let model = QuadraticModel(points: points, values: values, center: center, scale: scale) else {
                // Degenerate set: rebuild around the best point at the current resolution.
                rebuild(&points, &values, around: best, radius: rho, lower: lower, upper: upper, evaluate: evaluate)
                best = values.indices.min { values[$0] < values[$1] }!
                continue
            }
            let stepLower = (0..<n).map { Swift.max(lower[$0] - center[$0], -delta) }
            let stepUpper = (0..<n).map { Swift.min(upper[$0] - center[$0], delta) }
            let step = minimizeQuadraticOnBox(gradient: model.gradient, hessian: model.hessian,
                                              lower: stepLower, upper: stepUpper)
            let stepLength = step.map { abs($0) }.max() ?? 0
            let predicted = -model.value(ofStep: step)
            let farthest = points.indices.max { infinityDistance(points[$0], center) < infinityDistance(points[$1], center) }!
            let geometryFar = infinityDistance(points[farthest], center) > 2 * delta
            if stepLength < 0.5 * rho || predicted <= 0 {
                // Powell's test: if the model predicted the last three steps to within
                // ⅛·(least curvature)·ρ², its geometry is good enough to move to a finer ρ.
                let curvature = (0..<n).map { model.hessian[$0][$0] }.min() ?? 0
                let modelIsAccurate = recentErrors.count >= 3 && curvature > 0
                    && recentErrors.suffix(3).allSatisfy { $0 <= 0.125 * curvature * rho * rho }
                // Nothing left to gain: the model (accurate on the last two steps) promises less
                // than the function tolerance within the trust region.
                let tolerance = options.functionTolerance * Swift.max(1, abs(values[best]))
                if recentErrors.count >= 2 && recentErrors.suffix(2).allSatisfy({ $0 <= 10 * tolerance })
                    && max(predicted, 0) <= tolerance && rho <= 1e3 * options.finalRadius {
                    converged = true
                    break
                }
                if geometryFar && !modelIsAccurate {
                    // The model was built around points[best] from this very set: reuse it.
                    improveGeometry(&points, &values, replacing: farthest, best: best, radius: delta,
                                    lower: lower, upper: upper, model: model, evaluate: evaluate)
                    best = values.indices.min { values[$0] < values[$1] }!
                    continue
                }
                if rho <= options.finalRadius { converged = true; break }
                rho = nextResolution(rho, final: options.finalRadius)
                delta = Swift.max(0.5 * delta, rho)
                continue
            }
            var trial = center
            for i in 0..<n { trial[i] += step[i] }
            trial = project(trial)
            let trialValue = evaluate(trial)
            let ratio = (values[best] - trialValue) / predicted
            recentErrors.append(abs(values[best] - trialValue - predicted))
            if ratio < 0.1 { delta = Swift.max(0.5 * delta, rho); badSteps += 1 }
            else if ratio > 0.7 { delta = Swift.max(delta, 2 * stepLength); badSteps = 0 }
            else { delta = Swift.max(0.5 * delta, stepLength, rho); badSteps = 0 }
            // Replace the point whose Lagrange polynomial is largest at the trial point, weighted
            // by distance from the (new) centre.
            let newCenter = trialValue < values[best] ? trial : center
            let lagrange = model.lagrangeValues(at: trial)
            var replace = -1
            var bestScore = -1.0
            for k in points.indices where k != best || trialValue < values[best] {
                let distance = infinityDistance(points[k], newCenter) / Swift.max(delta, rho)
                let score = abs(lagrange[k]) * Swift.max(1, distance * distance * distance)
                if score > bestScore { bestScore = score; replace = k }
            }
            if replace >= 0 && bestScore > 1e-12 {
                points[replace] = trial
                values[replace] = trialValue
            }
            best = values.indices.min { values[$0] < values[$1] }!
            if ratio < 0.1 && badSteps >= 3 && !geometryFar && delta <= rho {
                if rho <= options.finalRadius { converged = true; break }
                rho = nextResolution(rho, final: options.finalRadius)
                delta = rho
                badSteps = 0
            } else if ratio < 0.1 && geometryFar {
                let far = points.indices.max { infinityDistance(points[$0], points[best]) < infinityDistance(points[$1], points[best]) }!
                if far != best {
                    improveGeometry(&points, &values, replacing: far, best: best, radius: delta,
                                    lower: lower, upper: upper, evaluate: evaluate)
                    best = values.indices.min { values[$0] < values[$1] }!
                }
            }
        }
        return Result(x: points[best], value: values[best], evaluations: evaluations, converged: converged)
    }

    /// Powell's resolution schedule: ρ/10 in the large, the geometric mean near ρ_end.
    private static func nextResolution(_ rho: Double, final: Double) -> Double {
        let ratio = rho / final
        if ratio <= 16 { return final }
        if ratio <= 250 { return (rho * final).squareRoot() }
        return 0.1 * rho
    }

    private static func infinityDistance(_ a: [Double], _ b: [Double]) -> Double {
        var d = 0.0
        for i in a.indices { d = Swift.max(d, abs(a[i] - b[i])) }
        return d
    }

    /// Replaces point `index` by the candidate within `radius` of the best point where its
    /// Lagrange polynomial is largest in absolute value (keeps the set poised).
    /// `model`, when given, must be the model of this set around points[best] (it saves a refit).
    private static func improveGeometry(_ points: inout [[Double]], _ values: inout [Double], replacing index: Int,
                                        best: Int, radius: Double, lower: [Double], upper: [Double],
                                        model knownModel: QuadraticModel? = nil,
                                        evaluate: ([Double]) -> Double) {
        let n = lower.count
        let center = points[best]
        // Candidates center ± radius·eᵢ and center ± radius·eᵢ ± radius·eⱼ (i < j), projected into
        // the box, written once into one flat buffer (n values each) in the order
        // i, sign, then j, second sign.
        let count = 2 * n * n
        var candidates = [Double](repeating: 0, count: count * n)
        candidates.withUnsafeMutableBufferPointer { buffer in
            var row = buffer.baseAddress!
            func emit(_ i: Int, _ sign: Double, _ j: Int, _ sign2: Double) {
                for k in 0..<n { row[k] = center[k] }
                row[i] += sign * radius
                if j >= 0 { row[j] += sign2 * radius }
                for k in 0..<n { row[k] = Swift.min(Swift.max(row[k], lower[k]), upper[k]) }
                row += n
            }
            for i in 0..<n {
                for sign in [-1.0, 1.0] {
                    emit(i, sign, -1, 0)
                    for j in (i + 1)..<n { for sign2 in [-1.0, 1.0] { emit(i, sign, j, sign2) } }
                }
            }
        }
        let model = knownModel ?? QuadraticModel(
            points: points, values: values, center: center,
            scale: Swift.max(points.map { infinityDistance($0, center) }.max()!, 1e-300))
        var chosenIndex = index % count
        if let model {
            // Each candidate's score once (one transposed solve each, in one scratch buffer), then
            // the largest.
            var scratch = [Double](repeating: 0, count: model.factors.n)
            chosenIndex = scratch.withUnsafeMutableBufferPointer { scratch -> Int in
                candidates.withUnsafeBufferPointer { candidates -> Int in
                    let base = candidates.baseAddress!
                    var bestCandidate = 0
                    var bestScore = abs(model.lagrangeValue(index, at: base, scratch: scratch.baseAddress!))
                    for k in 1..<count {
                        let score = abs(model.lagrangeValue(index, at: base + k * n, scratch: scratch.baseAddress!))
                        if bestScore < score { bestScore = score; bestCandidate = k }
                    }
                    return bestCandidate
                }
            }
        }
        func candidate(_ k: Int) -> [Double] { Array(candidates[(k * n)..<((k + 1) * n)]) }
        var chosen = candidate(chosenIndex)
        if chosen == center {
            chosen = (0..<count).lazy.map(candidate).first { $0 != center } ?? chosen
        }
        points[index] = chosen
        values[index] = evaluate(chosen)
    }

    /// Rebuilds the whole interpolation set around point `best` with steps of `radius`.
    private static func rebuild(_ points: inout [[Double]], _ values: inout [Double], around best: Int, radius: Double,
                                lower: [Double], upper: [Double], evaluate: ([Double]) -> Double) {
        let n = lower.count
        let center = points[best]
        let centerValue = values[best]
        var newPoints: [[Double]] = [center]
        var signs = [Double](repeating: 1, count: n)
        for i in 0..<n {
            signs[i] = center[i] + radius <= upper[i] ? 1 : -1
            var a = center; a[i] += signs[i] * radius
            var b = center; b[i] += (center[i] - radius >= lower[i] && signs[i] > 0) ? -radius : 2 * signs[i] * radius
            newPoints.append(a); newPoints.append(b)
        }
        for i in 0..<n { for j in (i + 1)..<n {
            var c = center; c[i] += signs[i] * radius; c[j] += signs[j] * radius; newPoints.append(c)
        } }
        newPoints = newPoints.map { x in (0..<n).map { Swift.min(Swift.max(x[$0], lower[$0]), upper[$0]) } }
        points = newPoints
        values = [centerValue] + newPoints.dropFirst().map(evaluate)
    }
}

/// The quadratic interpolating (points, values), in coordinates y = (x − centre)/scale.
struct QuadraticModel {
    let n: Int
    let center: [Double]
    let scale: Double
    /// The interpolation matrix Φ (row k = basis at point k), LU-factored.
    let factors: LUFactorization
    /// Gradient and Hessian of the model in x coordinates, at the centre.
    let gradient: [Double]
    let hessian: [[Double]]

    init?(points: [[Double]], values: [Double], center: [Double], scale: Double) {
        let n = center.count
        self.n = n
        self.center = center
        self.scale = scale
        let size = points.count
        guard size == 1 + n + n * (n + 1) / 2 else { return nil }
        // Φ row-major, row k the basis at point k, written in place.
        var phi = [Double](repeating: 0, count: size * size)
        phi.withUnsafeMutableBufferPointer { buffer in
            for (k, point) in points.enumerated() {
                QuadraticModel.writeBasis(at: point, center: center, scale: scale, into: buffer.baseAddress! + k * size)
            }
        }
        guard let lu = LUFactorization(rowMajor: phi, order: size) else { return nil }
        factors = lu
        let shift = values.min() ?? 0
        let coefficients = lu.solve(values.map { $0 - shift })
        guard coefficients.allSatisfy({ $0.isFinite }) else { return nil }
        gradient = (0..<n).map { coefficients[1 + $0] / scale }
        var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var index = 1 + n
        for i in 0..<n {
            for j in i..<n {
                h[i][j] = coefficients[index] / (scale * scale)
                h[j][i] = h[i][j]
                index += 1
            }
        }
        hessian = h
    }

    /// Model change g·s + ½ sᵀHs for a step s from the centre.
    func value(ofStep s: [Double]) -> Double {
        var total = 0.0
        for i in 0..<n {
            total += gradient[i] * s[i]
            for j in 0..<n { total += 0.5 * s[i] * hessian[i][j] * s[j] }
        }
        return total
    }

    /// Value at x of the Lagrange polynomial of interpolation point `index`: component `index` of
    /// Φ⁻ᵀ φ(x), with the same operations as `lagrangeValues(at:)`; `scratch` holds Φ's order.
    func lagrangeValue(_ index: Int, at x: UnsafePointer<Double>, scratch phi: UnsafeMutablePointer<Double>) -> Double {
        center.withUnsafeBufferPointer { center in
            QuadraticModel.writeBasis(at: x, center: center.baseAddress!, order: n, scale: scale, into: phi)
        }
        return factors.solveTransposedComponent(phi, component: index)
    }

    /// Writes the basis [1, y, ½y_i², y_i y_j (i < j)] at y = (x − centre)/scale (a row of Φ) to `row`.
    static func writeBasis(at x: [Double], center: [Double], scale: Double, into row: UnsafeMutablePointer<Double>) {
        x.withUnsafeBufferPointer { x in
            center.withUnsafeBufferPointer { center in
                writeBasis(at: x.baseAddress!, center: center.baseAddress!, order: center.count, scale: scale, into: row)
            }
        }
    }

    /// `writeBasis` on raw storage: x and centre hold `order` values each.
    static func writeBasis(at x: UnsafePointer<Double>, center: UnsafePointer<Double>, order n: Int, scale: Double,
                           into row: UnsafeMutablePointer<Double>) {
        row[0] = 1
        for i in 0..<n { row[1 + i] = (x[i] - center[i]) / scale }
        var index = 1 + n
        for i in 0..<n {
            for j in i..<n {
                row[index] = i == j ? 0.5 * row[1 + i] * row[1 + i] : row[1 + i] * row[1 + j]
                index += 1
            }
        }
    }

    /// Values at x of the Lagrange polynomials of the interpolation points: Φ⁻ᵀ φ(x).
    func lagrangeValues(at x: [Double]) -> [Double] {
        var phi = [Double](repeating: 0, count: factors.n)
        phi.withUnsafeMutableBufferPointer { QuadraticModel.writeBasis(at: x, center: center, scale: scale, into: $0.baseAddress!) }
        return factors.solveTransposed(phi)
    }

}

/// LU factorisation with partial pivoting of a small square matrix, stored
/// flat row-major.
struct LUFactorization {
    var n: Int
    var lu: [Double]
    var pivots: [Int]

    /// Factors the row-major `order × order` matrix `a`; nil when it is numerically singular.
    init?(rowMajor a: [Double], order n: Int) {
        var a = a
        self.n = n
        var pivots = Array(0..<n)
        let ok = a.withUnsafeMutableBufferPointer { a in
            pivots.withUnsafeMutableBufferPointer { LUFactorization.factorInPlace(a.baseAddress!, order: n, pivots: $0.baseAddress!) }
        }
        guard ok else { return nil }
        lu = a
        self.pivots = pivots
    }

    /// Factors the row-major n × n matrix at `a` in place (unit lower L below the diagonal, U on
    /// and above it); `pivots` (holding 0..<n on entry) receives the row permutation. False when a
    /// pivot is below 1e-13 times the largest entry.
    static func factorInPlace(_ a: UnsafeMutablePointer<Double>, order n: Int, pivots: UnsafeMutablePointer<Int>) -> Bool {
        var largest = 0.0
        for k in 0..<(n * n) { largest = Swift.max(largest, abs(a[k])) }
        for k in 0..<n {
            var p = k
            for i in (k + 1)..<Swift.max(k + 1, n) where abs(a[i * n + k]) > abs(a[p * n + k]) { p = i }
            guard abs(a[p * n + k]) > 1e-13 * Swift.max(largest, 1e-300) else { return false }
            if p != k {
                for j in 0..<n { let t = a[p * n + j]; a[p * n + j] = a[k * n + j]; a[k * n + j] = t }
                let t = pivots[p]; pivots[p] = pivots[k]; pivots[k] = t
            }
            let pivot = a[k * n + k]
            for i in (k + 1)..<Swift.max(k + 1, n) {
                let factor = a[i * n + k] / pivot
                a[i * n + k] = factor
                if factor == 0 { continue }
                for j in (k + 1)..<n { a[i * n + j] -= factor * a[k * n + j] }
            }
        }
        return true
    }

    /// Solves A x = b in place in `x` (holding b on entry) with a factor from `factorInPlace`;
    /// `work` has room for n values.
    static func solveInPlace(_ a: UnsafePointer<Double>, order n: Int, pivots: UnsafePointer<Int>,
                             _ x: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) {
        for i in 0..<n { work[i] = x[pivots[i]] }
        for i in 0..<n { for j in 0..<i { work[i] -= a[i * n + j] * work[j] } }
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in (i + 1)..<n { work[i] -= a[i * n + j] * work[j] }
            work[i] /= a[i * n + i]
        }
        for i in 0..<n { x[i] = work[i] }
    }

    /// x with A x = b.
    func solve(_ b: [Double]) -> [Double] {
        var x = b
        var work = b
        let n = self.n
        lu.withUnsafeBufferPointer { a in
            pivots.withUnsafeBufferPointer { pivots in
                x.withUnsafeMutableBufferPointer { x in
                    work.withUnsafeMutableBufferPointer {
                        LUFactorization.solveInPlace(a.baseAddress!, order: n, pivots: pivots.baseAddress!,
                                                     x.baseAddress!, work: $0.baseAddress!)
                    }
                }
            }
        }
        return x
    }

    /// Component `component` of x with Aᵀ x = b, b given in `z` (overwritten); the same operations
    /// as `solveTransposed` for that component (the back substitution stops at its row).
    func solveTransposedComponent(_ z: UnsafeMutablePointer<Double>, component: Int) -> Double {
        let n = self.n
        var row = 0
        while pivots[row] != component { row += 1 }
        return lu.withUnsafeBufferPointer { a -> Double in
            for i in 0..<n {
                var zi = z[i]
                for j in 0..<i { zi -= a[j * n + i] * z[j] }
                z[i] = zi / a[i * n + i]
            }
            for i in stride(from: n - 1, through: row, by: -1) {
                var zi = z[i]
                for j in (i + 1)..<n { zi -= a[j * n + i] * z[j] }
                z[i] = zi
            }
            return z[row]
        }
    }

    /// x with Aᵀ x = b.
    func solveTransposed(_ b: [Double]) -> [Double] {
        // Aᵀ = Uᵀ Lᵀ P: solve Uᵀ z = b, then Lᵀ w = z, then x = Pᵀ w.
        var z = b
        let n = self.n
        lu.withUnsafeBufferPointer { a in
            z.withUnsafeMutableBufferPointer { z in
                for i in 0..<n {
                    for j in 0..<i { z[i] -= a[j * n + i] * z[j] }
                    z[i] /= a[i * n + i]
                }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for j in (i + 1)..<n { z[i] -= a[j * n + i] * z[j] }
                }
            }
        }
        var x = [Double](repeating: 0, count: n)
        for i in 0..<n { x[pivots[i]] = z[i] }
        return x
    }
}

/// Minimises g·s + ½ sᵀHs over the box lower ≤ s ≤ upper (H symmetric, possibly indefinite).
/// For n ≤ 6 the global minimiser is found by enumerating the faces of the box (each coordinate
/// at its lower bound, at its upper bound or free; the free block solves its stationarity
/// equations); for larger n, projected gradient descent followed by a Newton step on the free set.
func minimizeQuadraticOnBox(gradient g: [Double], hessian h: [[Double]], lower: [Double], upper: [Double]) -> [Double] {
    let n = g.count
    func model<Step: RandomAccessCollection>(_ s: Step) -> Double where Step.Element == Double, Step.Index == Int {
        var total = 0.0
        for i in 0..<n { total += g[i] * s[i]; for j in 0..<n { total += 0.5 * s[i] * h[i][j] * s[j] } }
        return total
    }
    var best = [Double](repeating: 0, count: n)
    for i in 0..<n { best[i] = Swift.min(Swift.max(0, lower[i]), upper[i]) }
    var bestValue = model(best)
    // Convex model with its unconstrained minimiser inside the box: that is the answer.
    if let newton = convexNewtonStep(gradient: g, hessian: h),
       (0..<n).allSatisfy({ newton[$0] >= lower[$0] && newton[$0] <= upper[$0] }) {
        return newton
    }
    if n <= 6 {
        // One scratch allocation for all 3ⁿ faces: state, step, free set, matrix, rhs, pivots.
        var state = [Int](repeating: 0, count: 3 * n)  // state (0 free, 1 lower, 2 upper), free, pivots
        var numbers = [Double](repeating: 0, count: n * n + 3 * n)  // matrix, s, rhs, work
        let total = Int(pow3(n))
        state.withUnsafeMutableBufferPointer { integers in
            numbers.withUnsafeMutableBufferPointer { reals in
                let state = integers.baseAddress!, free = state + n, pivots = state + 2 * n
                let matrix = reals.baseAddress!, s = matrix + n * n, rhs = s + n, work = rhs + n
                for code in 0..<total {
                    var c = code
                    for i in 0..<n { state[i] = c % 3; c /= 3 }
                    var freeCount = 0
                    for i in 0..<n {
                        switch state[i] {
                        case 1: s[i] = lower[i]
                        case 2: s[i] = upper[i]
                        default: s[i] = 0; free[freeCount] = i; freeCount += 1
                        }
                    }
                    if freeCount > 0 {
                        for a in 0..<freeCount {
                            let i = free[a]
                            for b in 0..<freeCount { matrix[a * freeCount + b] = h[i][free[b]] }
                            var r = -g[i]
                            for j in 0..<n where state[j] != 0 { r -= h[i][j] * s[j] }
                            rhs[a] = r
                            pivots[a] = a
                        }
                        guard LUFactorization.factorInPlace(matrix, order: freeCount, pivots: pivots) else { continue }
                        LUFactorization.solveInPlace(matrix, order: freeCount, pivots: pivots, rhs, work: work)
                        var feasible = true
                        for a in 0..<freeCount {
                            let i = free[a]
                            let v = rhs[a]
                            if !(v >= lower[i] - 1e-12 && v <= upper[i] + 1e-12) { feasible = false; break }
                            s[i] = Swift.min(Swift.max(v, lower[i]), upper[i])
                        }
                        if !feasible { continue }
                    }
                    let step = UnsafeBufferPointer(start: s, count: n)
                    let value = model(step)
                    if value < bestValue { bestValue = value; best = Array(step) }
                }
            }
        }
        return best
    }
    // Projected gradient with backtracking.
    var s = best
    for _ in 0..<500 {
        var grad = g
        for i in 0..<n { for j in 0..<n { grad[i] += h[i][j] * s[j] } }
        var step = 1.0
        var improved = false
        let current = model(s)
        while step > 1e-12 {
            let candidate = (0..<n).map { Swift.min(Swift.max(s[$0] - step * grad[$0], lower[$0]), upper[$0]) }
            if model(candidate) < current - 1e-15 { s = candidate; improved = true; break }
            step *= 0.5
        }
        if !improved { break }
    }
    return model(s) < bestValue ? s : best
}

/// −H⁻¹g when H is positive definite (Cholesky succeeds), else nil.
private func convexNewtonStep(gradient g: [Double], hessian h: [[Double]]) -> [Double]? {
    let n = g.count
    var l = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        var pivot = h[j][j]
        for k in 0..<j { pivot -= l[j + k * n] * l[j + k * n] }
        guard pivot > 0 else { return nil }
        let root = pivot.squareRoot()
        l[j + j * n] = root
        for i in (j + 1)..<Swift.max(j + 1, n) {
            var sum = h[i][j]
            for k in 0..<j { sum -= l[i + k * n] * l[j + k * n] }
            l[i + j * n] = sum / root
        }
    }
    var x = g.map { -$0 }
    for i in 0..<n { for k in 0..<i { x[i] -= l[i + k * n] * x[k] }; x[i] /= l[i + i * n] }
    for i in stride(from: n - 1, through: 0, by: -1) { for k in (i + 1)..<n { x[i] -= l[k + i * n] * x[k] }; x[i] /= l[i + i * n] }
    return x
}

private func pow3(_ n: Int) -> Int { (0..<n).reduce(1) { acc, _ in acc * 3 } }
