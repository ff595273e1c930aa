/// `BernoulliRows.addBlock` four rows at a time in AVX2 + FMA: for the rows of one block of the
/// row pass (η already computed), ℓ_i = (y_i − [η_i ≥ 0]) η_i − log(1 + e_i) with e_i = e^(−|η_i|),
/// and ∂ℓ/∂η_i = y_i − max(e_i, [η_i ≥ 0]) / (1 + e_i) written over η_i (`bernoulliTerms`). Σ log(1 +
/// e_i) is the logarithm of four running products of factors in (1, 2], taken every
/// `maximumFactors` rows per lane. The last one to three rows are read and written lane by lane
/// (the arrays may end there). Returns Σ ℓ_i. The caller must check the processor
/// (`VectorKernels`); see `fusedBernoulliPassAVX2` for the rules of this module.
@inline(never)
public func bernoulliBlockAVX2(eta: UnsafeMutablePointer<Double>, response y: UnsafePointer<Double>, count: Int,
                               maximumFactors: Int) -> Double {
    typealias Vector = SIMD4<Double>
    var linear = Vector(), product = Vector(repeating: 1)
    var logSum = 0.0
    var factors = 0
    var i = 0
    while i &+ 4 <= count {
        if factors == maximumFactors {
            logSum += logOfProduct(product)
            product = Vector(repeating: 1)
            factors = 0
        }
        let terms = bernoulliTerms(UnsafeRawPointer(eta + i).loadUnaligned(as: Vector.self),
                                   UnsafeRawPointer(y + i).loadUnaligned(as: Vector.self))
        UnsafeMutableRawPointer(eta + i).storeBytes(of: terms.derivative, as: Vector.self)
        linear += terms.linear
        product *= terms.onePlus
        factors &+= 1
        i &+= 4
    }
    let remaining = count &- i
    if remaining > 0 {
        var x = Vector(), response = Vector(), keep = SIMD4<UInt64>()
        for lane in 0..<remaining {
            x[lane] = eta[i &+ lane]
            response[lane] = y[i &+ lane]
            keep[lane] = ~0
        }
        let terms = bernoulliTerms(x, response)
        for lane in 0..<remaining { eta[i &+ lane] = terms.derivative[lane] }
        linear += masked(terms.linear, keep)
        logSum += logOfProduct(product)
        product = masked(terms.onePlus - 1, keep) + 1
    }
    return linear.sum() - (logSum + logOfProduct(product))
}
