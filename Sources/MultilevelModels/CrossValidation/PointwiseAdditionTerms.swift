import MultilevelData

/// The pointwise log-likelihood of a row with brms' addition terms, as brms' `log_lik` writes it
/// (brms 2.18 `log_lik_censor`, `log_lik_truncate`, `log_lik_weight`): the density of an observed
/// row (normal with SD s, or √(σ² + s²) with `se(s, sigma = TRUE)`), log F(y) for a left-censored
/// row, log(1 − F(y)) for a right-censored one, log(F(y2) − F(y)) for an interval; minus
/// log(F(ub) − F(lb)) with `trunc()`; all times the row's weight with `weights()`. The values are
/// those of the posterior's row pass (`AdditionColumns.term`), so loo and the sampled posterior
/// agree row by row.
struct PointwiseAdditionTerms: @unchecked Sendable {
    let family: Family
    let columns: AdditionColumns

    /// The addition terms of `design`'s rows (in row order); nil without any.
    init?(design: ModelDesign, family: Family, auxiliaryCount: Int) {
        guard let additions = design.additions else { return nil }
        self.family = family
        columns = AdditionColumns(additions: additions, response: design.response, order: Array(0..<design.rowCount),
                                  auxiliaryCount: auxiliaryCount)
    }

    /// ℓ_i for the rows `rows` (`eta[j]` is row `rows.lowerBound + j`'s η) into
    /// `output[j * stride + offset]`; false when the family has no addition-term likelihood.
    func fill(rows: Range<Int>, eta: [Double], auxiliary: [Double], output: UnsafeMutableBufferPointer<Double>,
              stride: Int, offset: Int) -> Bool {
        family.visit(Visitor(columns: columns, rows: rows, eta: eta, auxiliary: auxiliary, output: output,
                             stride: stride, offset: offset))
    }

    private struct Visitor: ResponseFamilyVisitor {
        let columns: AdditionColumns
        let rows: Range<Int>
        let eta: [Double]
        let auxiliary: [Double]
        let output: UnsafeMutableBufferPointer<Double>
        let stride: Int
        let offset: Int

        func visit<F: ResponseFamily>(_ family: F.Type) -> Bool {
            guard let censored = F.self as? any CensoredResponseFamily.Type else { return false }
            return fill(censored)
        }

        /// The rows' terms for the censorable family C (the existential opened once per block).
        private func fill<C: CensoredResponseFamily>(_ family: C.Type) -> Bool {
            // Two slots, as the row pass reads at most two auxiliary parameters.
            let values = auxiliary + [0, 0]
            values.withUnsafeBufferPointer { parameters in
                for (j, i) in rows.enumerated() {
                    output[j * stride + offset] = columns.term(C.self, row: i, eta: eta[j], auxiliary: parameters.baseAddress!).value
                }
            }
            return true
        }
    }
}
