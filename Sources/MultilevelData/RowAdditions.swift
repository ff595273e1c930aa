/// The per-row values of brms' addition terms (`ResponseAdditions`) on the rows a design uses.
public struct RowAdditions: Sendable, Equatable {
    /// brms' censoring of one row (`cens(c)`): codes `left`/`none`/`right`/`interval` or −1/0/1/2
    /// (and `FALSE`/`TRUE` for none/right, as brms reads logicals).
    public enum Censoring: Int8, Sendable {
        case left = -1, none = 0, right = 1, interval = 2
    }

    /// `se(s)`: known standard deviations s_i > 0 (≥ 0 with `sigma = TRUE`).
    public var standardErrors: [Double]?
    /// `se(s, sigma = TRUE)`: σ is estimated too and the row's SD is √(σ² + s_i²).
    public var standardErrorWithSigma = false
    /// `cens(c)`: each row's censoring.
    public var censoring: [Censoring]?
    /// `cens(c, y2)`: the upper end of interval-censored rows (y < y2); other rows' values unused.
    public var censoringUpper: [Double]?
    /// `weights(w)`: prior weights w_i ≥ 0 multiplying each row's log-likelihood.
    public var weights: [Double]?
    /// `trunc(lb, ub)`: bounds (−∞ / +∞ when absent), lb ≤ y ≤ ub.
    public var truncationLower: [Double]?
    public var truncationUpper: [Double]?

    public init() {}

    /// The terms present, `se()`, `cens()`, `weights()`, `trunc()`.
    public var termNames: [String] {
        [standardErrors != nil ? "se()" : nil, censoring != nil ? "cens()" : nil, weights != nil ? "weights()" : nil,
         isTruncated ? "trunc()" : nil].compactMap { $0 }
    }

    /// Whether the model has truncation bounds.
    public var isTruncated: Bool { truncationLower != nil || truncationUpper != nil }

    /// The censoring code of a word or number as brms reads it, nil for an unknown one.
    public static func censoring(word: String) -> Censoring? {
        switch word.lowercased() {
        case "left", "-1": return .left
        case "none", "0", "false": return Censoring.none
        case "right", "1", "true": return .right
        case "interval", "2": return .interval
        default: return nil
        }
    }

    /// Evaluates `additions` on the used rows. Errors name the data file's line (`file:line:`).
    static func evaluate(_ additions: ResponseAdditions, response: [Double], evaluator: VariableEvaluator,
                         lines: [Int], fileName: String) throws -> RowAdditions? {
        guard !additions.isEmpty else { return nil }
        var result = RowAdditions()
        func fail(_ row: Int, _ message: String) -> DesignError {
            DesignError("\(fileName):\(lines[row]): \(message)")
        }
        func numbers(_ node: FormulaNode, _ what: String) throws -> [Double] {
            if case .factor = try evaluator.evaluate(node) {
                throw FormulaError(column: node.column, message: "\(what): '\(node.deparsed)' is a factor; it must be numeric")
            }
            return try evaluator.numeric(node)
        }
        if let node = additions.standardError {
            let values = try numbers(node, "se(\(node.deparsed))")
            let withSigma = additions.standardErrorWithSigma
            if let row = values.firstIndex(where: { !($0 > 0 || (withSigma && $0 == 0)) }) {
                throw fail(row, "standard error \(RCollation.label(of: values[row])) in se(\(node.deparsed)) must be \(withSigma ? "non-negative" : "positive") and finite")
            }
            if let row = values.firstIndex(where: { !$0.isFinite }) {
                throw fail(row, "standard error \(RCollation.label(of: values[row])) in se(\(node.deparsed)) must be finite")
            }
            result.standardErrors = values
            result.standardErrorWithSigma = withSigma
        }
        if let node = additions.censoring {
            var codes: [Censoring] = []
            switch try evaluator.evaluate(node) {
            case .factor(let levels, let levelCodes):
                for (row, code) in levelCodes.enumerated() {
                    let word = levels[Int(code)]
                    guard let censoring = censoring(word: word) else {
                        throw fail(row, "unknown censoring code '\(abbreviatedForMessage(word))' in cens(\(node.deparsed)); use left, none, right, interval (or -1, 0, 1, 2)")
                    }
                    codes.append(censoring)
                }
            case .numeric(let values):
                for (row, value) in values.enumerated() {
                    guard value.rounded() == value, let code = Int8(exactly: value), let censoring = Censoring(rawValue: code) else {
                        throw fail(row, "unknown censoring code \(RCollation.label(of: value)) in cens(\(node.deparsed)); use -1, 0, 1, 2 (or left, none, right, interval)")
                    }
                    codes.append(censoring)
                }
            case .matrix:
                throw FormulaError(column: node.column, message: "cens() needs one column")
            }
            result.censoring = codes
            if let upper = additions.censoringUpper {
                let values = try numbers(upper, "cens(…, \(upper.deparsed))")
                for row in codes.indices where codes[row] == .interval && !(values[row] > response[row] && values[row].isFinite) {
                    throw fail(row, "interval-censored row needs y < y2 (\(RCollation.label(of: response[row])) and \(RCollation.label(of: values[row])) in cens(\(node.deparsed), \(upper.deparsed)))")
                }
                result.censoringUpper = values
            } else if let row = codes.firstIndex(of: .interval) {
                throw fail(row, "interval censoring needs the upper end: write cens(\(node.deparsed), y2)")
            }
        }
        if let node = additions.weights {
            let values = try numbers(node, "weights(\(node.deparsed))")
            if let row = values.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
                throw fail(row, "weight \(RCollation.label(of: values[row])) in weights(\(node.deparsed)) must be non-negative and finite")
            }
            result.weights = values
        }
        if additions.truncationLower != nil || additions.truncationUpper != nil {
            let n = response.count
            let lower = try additions.truncationLower.map { try numbers($0, "trunc(lb = \($0.deparsed))") } ?? [Double](repeating: -.infinity, count: n)
            let upper = try additions.truncationUpper.map { try numbers($0, "trunc(ub = \($0.deparsed))") } ?? [Double](repeating: .infinity, count: n)
            if let row = (0..<n).first(where: { lower[$0] > upper[$0] }) {
                throw fail(row, "truncation bounds [\(RCollation.label(of: lower[row])), \(RCollation.label(of: upper[row]))] are empty: trunc() needs lb ≤ ub")
            }
            for row in 0..<n where !(lower[row] <= response[row] && response[row] <= upper[row]) || lower[row].isNaN || upper[row].isNaN {
                throw fail(row, "response \(RCollation.label(of: response[row])) is outside the truncation bounds [\(RCollation.label(of: lower[row])), \(RCollation.label(of: upper[row]))]")
            }
            result.truncationLower = lower
            result.truncationUpper = upper
        }
        return result
    }
}
