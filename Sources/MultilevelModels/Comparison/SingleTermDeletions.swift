import Foundation
import MultilevelData
import MultilevelMath

/// One row of `drop1(fit, test = "Chisq")` for a mixed model: the model without one fixed-effect
/// term, refitted by maximum likelihood (Laplace for GLMMs), its AIC and the likelihood-ratio
/// statistic LRT = d₋ₜ − d against the full model's ML deviance d on `parameters` degrees of
/// freedom (the number of X columns the term had), Pr(Chi) = P(χ²ₖ ≥ LRT).
public struct SingleTermDeletion: Sendable, Equatable {
    public var term: String
    public var parameters: Int
    public var akaikeInformationCriterion: Double
    public var likelihoodRatio: Double

    public var pValue: Double {
        guard likelihoodRatio.isFinite, parameters > 0 else { return .nan }
        return ChiSquaredDistribution(degreesOfFreedom: Double(parameters)).ccdf(max(0, likelihoodRatio))
    }
}

/// R's `drop.scope`: the fixed-effect terms not contained in another term (a term whose variables
/// all appear in a higher-order term is kept, by marginality), as indices into `fixedTermLabels`.
public func droppableTerms(_ design: ModelDesign) -> [Int] {
    let variables = design.fixedTermVariables.map(Set.init)
    return design.fixedTermLabels.indices.filter { term in
        !variables.indices.contains { other in
            other != term && variables[term].isSubset(of: variables[other]) && variables[other].count > variables[term].count
        }
    }
}

/// The design with the X columns of fixed-effect term `term` removed (the model `. ~ . - term`).
public func designDropping(term: Int, from design: ModelDesign) -> ModelDesign {
    let kept = design.fixedEffectAssignment.indices.filter { design.fixedEffectAssignment[$0] != term }
    var reduced = design
    let x = design.fixedEffects
    var matrix = DenseMatrix(rows: x.rows, columns: kept.count)
    for (k, j) in kept.enumerated() { for i in 0..<x.rows { matrix[i, k] = x[i, j] } }
    reduced.fixedEffects = matrix
    reduced.fixedEffectNames = kept.map { design.fixedEffectNames[$0] }
    reduced.fixedEffectAssignment = kept.map { design.fixedEffectAssignment[$0] }
    return reduced
}

/// `drop1(fit, test = "Chisq")`: for every droppable term, the ML (or Laplace) refit without it.
/// `fitDeviance` returns the ML deviance −2ℓ and the number of parameters of a design's fit;
/// `fullDeviance`/`fullParameters` are the full model's.
public func singleTermDeletions(_ design: ModelDesign, fullDeviance: Double, fullParameters: Int,
                                fitDeviance: (ModelDesign) throws -> (deviance: Double, parameters: Int)) rethrows
    -> [SingleTermDeletion] {
    try droppableTerms(design).map { term in
        let (deviance, parameters) = try fitDeviance(designDropping(term: term, from: design))
        return SingleTermDeletion(term: design.fixedTermLabels[term], parameters: fullParameters - parameters,
                                  akaikeInformationCriterion: deviance + 2 * Double(parameters),
                                  likelihoodRatio: deviance - fullDeviance)
    }
}
