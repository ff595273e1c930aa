/// `PoissonRows.addBlock` four rows at a time in AVX2 + FMA: for the rows of one block of the row
/// pass (η already computed; `trials` counts merged rows), ℓ_i = y_i η_i − n_i μ_i with μ_i = e^η_i
/// (η clamped to [−708, 709] inside the exponential, as the portable pass does), and ∂ℓ/∂η_i =
/// y_i − n_i μ_i written over η_i. The last one to three rows are read and written lane by lane.
/// Returns Σ ℓ_i. The caller must check the processor (`VectorKernels`); see
/// `fusedBernoulliPassAVX2` for the rules of this module.
@inline(never)
public func poissonBlockAVX2(eta: UnsafeMutablePointer<Double>, response y: UnsafePointer<Double>,
                             trials n: UnsafePointer<Double>, count: Int) -> Double {
    typealias Vector = SIMD4<Double>
    var sum = Vector()
    var i = 0
    while i &+ 4 <= count {
        let x = UnsafeRawPointer(eta + i).loadUnaligned(as: Vector.self)
        let response = UnsafeRawPointer(y + i).loadUnaligned(as: Vector.self)
        let mean = UnsafeRawPointer(n + i).loadUnaligned(as: Vector.self) * exponential(clamped: clamp(x))
        sum += response * x - mean
        UnsafeMutableRawPointer(eta + i).storeBytes(of: response - mean, as: Vector.self)
        i &+= 4
    }
    let remaining = count &- i
    if remaining > 0 {
        var x = Vector(), response = Vector(), trials = Vector(), keep = SIMD4<UInt64>()
        for lane in 0..<remaining {
            x[lane] = eta[i &+ lane]
            response[lane] = y[i &+ lane]
            trials[lane] = n[i &+ lane]
            keep[lane] = ~0
        }
        let mean = trials * exponential(clamped: clamp(x))
        sum += masked(response * x - mean, keep)
        let derivative = response - mean
        for lane in 0..<remaining { eta[i &+ lane] = derivative[lane] }
    }
    return sum.sum()
}
