import MultilevelData

/// Which families the addition terms work with, checked before any fitting: `cens()`,
/// `weights()` and `trunc()` need a family with a distribution function (gaussian, student,
/// lognormal, Gamma, exponential, weibull: `AdditionTermPass`; poisson and negbinomial for
/// `weights()` and `trunc()`, not `cens()`); `se()` the gaussian family (the
/// known SDs are the normal's). Throws a one-line `ResponseError` naming the term and the family.
public func checkAdditionTerms(_ design: ModelDesign, family: Family) throws {
    guard let additions = design.additions else { return }
    let supported = "gaussian, student, lognormal, Gamma, exponential and weibull"
    if additions.standardErrors != nil {
        guard family == .gaussian else {
            throw ResponseError("se() gives known standard deviations of a normal response: it needs family gaussian, not \(family.rawValue)")
        }
        return
    }
    let terms = [additions.censoring != nil ? "cens()" : nil, additions.weights != nil ? "weights()" : nil,
                 additions.isTruncated ? "trunc()" : nil].compactMap { $0 }
    if !terms.isEmpty, !family.supportsAdditionTerms {
        throw ResponseError("\(terms.joined(separator: ", ")) \(terms.count == 1 ? "is" : "are") supported for the families \(supported)\(additions.censoring == nil ? " (weights() and trunc() also for poisson and negbinomial)" : ""), not \(family.rawValue)")
    }
    if additions.censoring != nil, family.hasCountDistributionFunction {
        throw ResponseError("cens() is supported for the families \(supported), not \(family.rawValue) (counts take weights() and trunc())")
    }
}

extension Family {
    /// Whether the family is a count family with the addition-term pass (poisson, negbinomial
    /// with the log link): `trunc()` and `weights()` but not `cens()`.
    var hasCountDistributionFunction: Bool {
        (descriptor as? any CensoredResponseFamily.Type)?.isDiscrete ?? false
    }
}
