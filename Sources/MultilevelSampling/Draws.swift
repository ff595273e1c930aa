/// Posterior draws: `chainCount` chains of `drawsPerChain` iterations over named variables.
///
/// Storage is one array per chain, iteration-major (`chain[iteration * variableCount + variable]`),
/// the order in which samplers produce draws and CSV files hold them.
public struct Draws: Sendable, Equatable {
    /// Variable names as in DESIGN §3 (`b_Intercept`, `sd_Subject__Days`, `r_Subject[308,Days]`, …).
    public var variableNames: [String]
    /// One buffer per chain, `drawsPerChain * variableNames.count` values, iteration-major.
    public var chains: [[Double]]

    public init(variableNames: [String], chains: [[Double]]) {
        self.variableNames = variableNames
        self.chains = chains
        precondition(chains.allSatisfy { $0.count == chains.first?.count ?? 0 },
                     "chains must have equal lengths")
        precondition(variableNames.isEmpty || chains.allSatisfy { $0.count % variableNames.count == 0 },
                     "chain length is not a multiple of the number of variables")
    }

    /// Number of variables.
    public var variableCount: Int { variableNames.count }
    /// Number of chains.
    public var chainCount: Int { chains.count }
    /// Number of draws (iterations) in each chain.
    public var drawsPerChain: Int {
        guard let first = chains.first, !variableNames.isEmpty else { return 0 }
        return first.count / variableNames.count
    }

    /// Index of the variable called `name`, if present.
    public func index(of name: String) -> Int? { variableNames.firstIndex(of: name) }

    /// The draws of variable `variable` as one array per chain.
    public func values(ofVariable variable: Int) -> [[Double]] {
        let v = variableCount
        return chains.map { chain in
            (0..<(chain.count / v)).map { chain[$0 * v + variable] }
        }
    }

    /// The draws of the variable called `name`, one array per chain.
    public func values(of name: String) -> [[Double]]? {
        index(of: name).map { values(ofVariable: $0) }
    }

    /// These draws restricted to the named variables, in the order given (names not present are
    /// skipped).
    public func selecting(_ names: [String]) -> Draws {
        let indices = names.compactMap { index(of: $0) }
        let width = max(1, variableCount)
        let selected = chains.map { chain -> [Double] in
            var out: [Double] = []
            out.reserveCapacity(chain.count / width * indices.count)
            for row in 0..<(chain.count / width) { for i in indices { out.append(chain[row * width + i]) } }
            return out
        }
        return Draws(variableNames: indices.map { variableNames[$0] }, chains: selected)
    }
}
