/// E-BFMI, the energy Bayesian fraction of missing information of one chain (Betancourt 2016,
/// *Diagnosing suboptimal cotangent disintegrations in Hamiltonian Monte Carlo*, eq. 3; as ArviZ's
/// `bfmi` and CmdStan's `diagnose`): the mean squared change of `energy__` between successive
/// draws over the variance of `energy__` (denominator N). Values below 0.3 suggest the momentum
/// resampling explores the energy distribution poorly. NaN for fewer than 2 draws or constant energy.
public func energyFractionOfMissingInformation(_ energy: [Double]) -> Double {
    let n = energy.count
    guard n > 1 else { return .nan }
    var sum = 0.0
    for e in energy { sum += e }
    let mean = sum / Double(n)
    var squaredChanges = 0.0, variance = 0.0
    for i in 0..<n {
        variance += (energy[i] - mean) * (energy[i] - mean)
        if i > 0 { squaredChanges += (energy[i] - energy[i - 1]) * (energy[i] - energy[i - 1]) }
    }
    guard variance > 0 else { return .nan }
    return (squaredChanges / Double(n - 1)) / (variance / Double(n))
}

/// Per-chain checks of a Hamiltonian sampler's own statistics.
public struct SamplerChecks: Sendable, Equatable {
    /// Draws with `divergent__` = 1, per chain.
    public var divergences: [Int]
    /// Draws whose `treedepth__` reached the maximum tree depth, per chain.
    public var treeDepthSaturations: [Int]
    /// The maximum tree depth of each chain.
    public var maxTreeDepths: [Int]
    /// E-BFMI per chain (NaN without `energy__`).
    public var energyFractions: [Double]

    /// Checks `statistics` (the sampler columns of `SampledChains`); `maxTreeDepths` per chain
    /// (10 where unknown). Columns that are absent give zero counts / NaN.
    public init(statistics: Draws, maxTreeDepths: [Int]) {
        let chains = statistics.chainCount
        let divergent = statistics.values(of: "divergent__")
        let depth = statistics.values(of: "treedepth__")
        let energy = statistics.values(of: "energy__")
        self.maxTreeDepths = (0..<chains).map { $0 < maxTreeDepths.count ? maxTreeDepths[$0] : 10 }
        divergences = (0..<chains).map { c in divergent.map { $0[c].filter { $0 > 0 }.count } ?? 0 }
        let limits = self.maxTreeDepths
        treeDepthSaturations = (0..<chains).map { c in
            depth.map { $0[c].filter { $0 >= Double(limits[c]) }.count } ?? 0
        }
        energyFractions = (0..<chains).map { c in energy.map { energyFractionOfMissingInformation($0[c]) } ?? .nan }
    }
}
