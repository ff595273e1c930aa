/// The number q of group-level effects per level, as a type: the marginal posterior's per-level
/// loops are generic over it, so for q = 1 and q = 2 (random intercepts, intercept and slope) the
/// compiler sees constant trip counts and unrolls them; other q use `EffectDimensionAny`.
protocol EffectDimension {
    var q: Int { get }
}

/// q = 1.
struct EffectDimensionOne: EffectDimension {
    @inline(__always) var q: Int { 1 }
}

/// q = 2.
struct EffectDimensionTwo: EffectDimension {
    @inline(__always) var q: Int { 2 }
}

/// Any q, known at run time.
struct EffectDimensionAny: EffectDimension {
    let q: Int
}
