/// The draws of one variable as `chainCount` sequences of `length` values, stored chain after
/// chain (`values[chain * length + iteration]`) — the draws × chains matrix that the posterior
/// package's convergence functions take, in column-major order.
public struct ChainSequences: Sendable, Equatable {
    /// All values, chain-major.
    public var values: [Double]
    /// Number of sequences (chains, or half-chains after `split()`).
    public let chainCount: Int
    /// Values per sequence.
    public let length: Int

    /// Sequences from `values` laid out chain after chain.
    public init(values: [Double], chainCount: Int, length: Int) {
        precondition(values.count == chainCount * length, "values do not fill chainCount × length")
        self.values = values
        self.chainCount = chainCount
        self.length = length
    }

    /// Sequences from one array per chain (all of the same length).
    public init(chains: [[Double]]) {
        let length = chains.first?.count ?? 0
        precondition(chains.allSatisfy { $0.count == length }, "chains must have equal lengths")
        self.init(values: chains.flatMap { $0 }, chainCount: chains.count, length: length)
    }

    /// The values of sequence `chain`.
    public func sequence(_ chain: Int) -> ArraySlice<Double> {
        values[(chain * length)..<((chain + 1) * length)]
    }

    /// Split chains (Vehtari et al. 2021, §3.1; Gelman et al. *BDA3* §11.4): each chain of n
    /// draws becomes its first ⌊n/2⌋ and its last ⌊n/2⌋ draws, so with an odd n the middle draw
    /// is left out, as in posterior's `.split_chains`. A single draw per chain is left as is.
    public consuming func split() -> ChainSequences {
        guard length > 1 else { return self }
        let half = length / 2
        // With an even length the halves are already contiguous: same storage, twice the chains.
        if length % 2 == 0 { return ChainSequences(values: values, chainCount: 2 * chainCount, length: half) }
        var out = [Double]()
        out.reserveCapacity(2 * half * chainCount)
        values.withUnsafeBufferPointer { v in
            for c in 0..<chainCount {
                let base = c * length
                out.append(contentsOf: v[base..<(base + half)])
                out.append(contentsOf: v[(base + length - half)..<(base + length)])
            }
        }
        return ChainSequences(values: out, chainCount: 2 * chainCount, length: half)
    }

    /// The same layout with `transform` applied to every value.
    public func map(_ transform: (Double) -> Double) -> ChainSequences {
        ChainSequences(values: values.map(transform), chainCount: chainCount, length: length)
    }

    /// Whether every value is finite.
    public var allFinite: Bool { values.allSatisfy { $0.isFinite } }

    /// posterior's `is_constant`: max − min below the machine epsilon (2.2e-16).
    public var isConstant: Bool { ChainSequences.isConstant(values) }

    /// posterior's `should_return_NA`: a diagnostic is NA when any value is NA/NaN or infinite,
    /// or when all values are (numerically) the same.
    public var diagnosticIsUndefined: Bool {
        values.withUnsafeBufferPointer { v in
            guard var low = v.first else { return true }
            var high = low
            for x in v {
                if !x.isFinite { return true }
                low = Swift.min(low, x)
                high = Swift.max(high, x)
            }
            return abs(high - low) < Double.ulpOfOne
        }
    }

    /// When the rank-based diagnostics (rank-normalised R̂, bulk-ESS) are NA: ranks make infinite
    /// draws harmless, so only NaN/NA draws or a constant variable make them undefined.
    public var rankDiagnosticIsUndefined: Bool { values.contains { $0.isNaN } || isConstant }

    static func isConstant<C: Collection>(_ values: C) -> Bool where C.Element == Double {
        guard var low = values.first else { return true }
        var high = low
        for v in values {
            if v < low { low = v }
            if v > high { high = v }
        }
        return abs(high - low) < Double.ulpOfOne
    }
}
