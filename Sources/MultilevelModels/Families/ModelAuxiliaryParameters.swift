import MultilevelData

extension Family {
    /// The auxiliary parameters of the model of `design` under this family: the family's, except
    /// that brms' `y | se(s)` without `sigma = TRUE` fixes the residual SD at the known s and so
    /// has no `sigma`.
    public func auxiliaryParameters(for design: ModelDesign) -> [AuxiliaryParameter] {
        if let additions = design.additions, additions.standardErrors != nil, !additions.standardErrorWithSigma {
            return auxiliaryParameters.filter { $0 != .sigma }
        }
        return auxiliaryParameters
    }

    /// Whether the family has the row pass of the addition terms `cens()`, `weights()`, `trunc()`.
    public var supportsAdditionTerms: Bool { descriptor.supportsAdditionTerms }
}
