/// How a bootstrap replicate data set is made from a fitted linear mixed model.
public enum BootstrapScheme: Sendable, Equatable {
    /// Simulate a new response from the fitted model, y* = Xβ̂ + Zb* + ε* with b* ~ N(0, σ̂²Λθ̂Λθ̂ᵀ)
    /// and ε* ~ N(0, σ̂²I), on the same design (lme4's `bootMer(use.u = FALSE)`; Davison & Hinkley
    /// 1997, §2.2, the parametric bootstrap).
    case parametric
    /// Resample the levels of the first grouping factor with replacement, each drawn level bringing
    /// all its rows; every draw is a distinct level, and factors nested in it are relabelled per
    /// draw (the cluster bootstrap of Davison & Hinkley 1997, §3.8, strategy 1).
    case groups
    /// Resample ⌈fraction · n⌉ rows with replacement from the n rows (the case bootstrap; with
    /// fraction < 1 an m-out-of-n bootstrap whose intervals describe estimates from samples of
    /// that size).
    case rows(fraction: Double)

    /// The name used on the command line and in JSON: `parametric`, `group` or `row`.
    public var name: String {
        switch self {
        case .parametric: return "parametric"
        case .groups: return "group"
        case .rows: return "row"
        }
    }
}
