/// The weight a random-intercept model gives a group's own mean (Gelman & Hill 2006, eq. 12.4):
///
///     w_j = (n_j / σ²_y) / (n_j / σ²_y + 1 / σ²_α),
///
/// so the partial-pooling intercept is w_j · ȳ_j + (1 − w_j) · μ_α. Groups with few rows (small
/// n_j) or a small between-group SD σ_α get a small weight: they are pulled (shrunk) most towards
/// the population mean. 1 − w_j is the shrinkage. Returns NaN when σ_y is not positive.
public func shrinkageWeight(groupSize n: Int, residualSD sigmaY: Double, groupSD sigmaAlpha: Double) -> Double {
    guard sigmaY > 0, n > 0 else { return .nan }
    let data = Double(n) / (sigmaY * sigmaY)
    guard sigmaAlpha > 0 else { return 0 }
    return data / (data + 1 / (sigmaAlpha * sigmaAlpha))
}
