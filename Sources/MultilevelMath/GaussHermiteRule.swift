import Foundation

/// The n-point Gauss–Hermite rule for the standard normal density: nodes zₖ and weights wₖ
/// (Σ wₖ = 1) with Σ wₖ f(zₖ) = E f(Z), Z ~ N(0, 1), exact for polynomials of degree < 2n — the
/// rule lme4's `GHrule(n)` tabulates. The nodes are the roots of the probabilists' Hermite
/// polynomial Heₙ: started from the eigenvalues of the Jacobi matrix (Golub & Welsch 1969; its
/// off-diagonal entries √k) and polished by Newton's method on the orthonormal recurrence
/// pₖ₊₁ = (z pₖ − √k pₖ₋₁)/√(k + 1), pₖ = Heₖ/√k!; then wₖ = 1/(n pₙ₋₁(zₖ)²).
public struct GaussHermiteRule: Sendable {
    public let nodes: [Double]
    public let weights: [Double]

    public init(points n: Int) {
        precondition(n >= 1 && n <= 100, "1 to 100 quadrature points")
        var jacobi = DenseMatrix(rows: n, columns: n)
        for k in 1..<max(n, 1) {
            jacobi[k, k - 1] = Double(k).squareRoot()
            jacobi[k - 1, k] = Double(k).squareRoot()
        }
        let start = SymmetricEigenDecomposition(jacobi).values.sorted()
        var nodes: [Double] = []
        var weights: [Double] = []
        for guess in start {
            var z = guess
            for _ in 0..<100 {
                let (value, lower) = Self.orthonormal(n, at: z)
                // p'ₙ = √n pₙ₋₁.
                let step = value / (Double(n).squareRoot() * lower)
                z -= step
                if abs(step) <= 1e-15 * max(1, abs(z)) { break }
            }
            let lower = Self.orthonormal(n, at: z).lower
            nodes.append(z)
            weights.append(1 / (Double(n) * lower * lower))
        }
        // Exact symmetry: average each node with its mirror.
        for k in 0..<(n / 2) {
            let z = (nodes[n - 1 - k] - nodes[k]) / 2
            let w = (weights[k] + weights[n - 1 - k]) / 2
            nodes[k] = -z; nodes[n - 1 - k] = z
            weights[k] = w; weights[n - 1 - k] = w
        }
        if n % 2 == 1 { nodes[n / 2] = 0 }
        let total = weights.reduce(0, +)
        self.nodes = nodes
        self.weights = weights.map { $0 / total }
    }

    /// (pₙ(z), pₙ₋₁(z)) of the orthonormal probabilists' Hermite polynomials.
    static func orthonormal(_ n: Int, at z: Double) -> (value: Double, lower: Double) {
        var lower = 0.0, value = 1.0
        for k in 0..<n {
            let next = (z * value - Double(k).squareRoot() * lower) / Double(k + 1).squareRoot()
            lower = value
            value = next
        }
        return (value, lower)
    }
}
