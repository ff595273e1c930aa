/// A method for the denominator degrees of freedom of fixed-effect tests in a linear mixed model
/// (lmerTest's `ddf`): Satterthwaite's (`Satterthwaite`) or Kenward & Roger's (`KenwardRoger`).
public protocol FixedEffectTesting: Sendable {
    /// The F test of Lβ = 0 for the rows of `contrasts`.
    func fTest(contrasts: [[Double]]) -> FTest
    /// One t test per coefficient, as lmerTest's summary table.
    func coefficientTests() -> [FixedEffectTest]
}
