import MultilevelData

extension Family {
    /// The auxiliary parameters of the model of `design` under this family: the family's, except
    /// that brms' `y | se(s)` without `sigma = TRUE` fixes the residual SD at the known s and so
    /// has no `sigma`.
    public func auxiliaryParameters(for design: ModelDesign) -> [AuxiliaryParameter] {
        if kind == .cumulative {
            return [AuxiliaryParameter](repeating: .thresholdGap, count: max(0, thresholdCount(for: design) - 1))
        }
        if let additions = design.additions, additions.standardErrors != nil, !additions.standardErrorWithSigma {
            return auxiliaryParameters.filter { $0 != .sigma }
        }
        return auxiliaryParameters
    }

    /// The number of thresholds K − 1 of an ordinal model, K the largest rating (brms: `nthres =
    /// max(Y) - 1`; categories need not all occur); 0 for the other families.
    public func thresholdCount(for design: ModelDesign) -> Int {
        guard kind == .cumulative, let largest = design.response.max(), largest.isFinite, largest >= 1, largest < 1e9
        else { return 0 }
        return Int(largest) - 1
    }

    /// Whether the family has the row pass of the addition terms `cens()`, `weights()`, `trunc()`.
    public var supportsAdditionTerms: Bool { descriptor.supportsAdditionTerms }
}
