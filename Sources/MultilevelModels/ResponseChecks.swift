import MultilevelData

/// Checks a design's response against the support of `family` before any fit (Laplace or
/// Bayesian); the error names the first offending row by its line in the data file
/// (`ModelDesign.sourceLines`). Binomial successes above the trials, negative or non-integer
/// counts for Poisson / negative binomial, anything but 0/1 for Bernoulli (a factor response with
/// more than two levels is refused by the data layer), a non-integer (continuous) binomial response.
/// A binomial response without `trials(n)` / `cbind(s, f)` is accepted when it is 0/1 (glmer's
/// binary binomial) and checked as Bernoulli.
public func checkResponse(_ design: ModelDesign, family: Family) throws {
    if family == .binomial && design.trials == nil {
        do {
            try Family.bernoulli.validate(response: design.response, trials: nil, sourceLines: design.sourceLines)
        } catch let error as FamilyError {
            throw FamilyError(message: error.message.replacingOccurrences(of: "for family bernoulli",
                with: "for family binomial without trials(n) or cbind(successes, failures)"))
        }
        return
    }
    try family.validate(response: design.response, trials: design.trials, sourceLines: design.sourceLines)
}
