/// brms' distributional regression formula `bf(y ~ x + (1 | g), sigma ~ x + (1 | g))`: the formula
/// of the mean (μ) and one formula per predicted auxiliary parameter (brms' "dpars", Bürkner 2018,
/// *Advanced Bayesian multilevel modeling with the R package brms*, The R Journal 10(1), §2).
///
/// ```
/// let f = try DistributionalFormula.parse("bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)")
/// f.mean.fixed.terms.map(\.label)            // ["Days"]
/// f.parameters[0].name                      // "sigma"
/// ```
///
/// A formula without `bf(…)` is the mean's formula alone. Each dpar formula has no response of its
/// own: its right-hand side is read with the mean's response (so the design builder drops the same
/// rows), and addition terms, offsets and `mo()` are refused in it.
public struct DistributionalFormula: Sendable, Equatable {
    /// One predicted auxiliary parameter: its brms name and its formula (with the mean's response).
    public struct Parameter: Sendable, Equatable {
        /// The dpar's name as written (`sigma`, `shape`, `phi`, `zi`, `hu`, `nu`, `alpha`).
        public var name: String
        /// Its formula, `y ~ rhs` with y the mean's response.
        public var formula: Formula
        /// The dpar formula as written (`sigma ~ Days`).
        public var text: String
        /// 1-based column of the dpar's name in the whole formula text.
        public var column: Int
    }

    /// The formula as written.
    public var text: String
    /// The formula of the mean.
    public var mean: Formula
    /// The predicted auxiliary parameters in formula order.
    public var parameters: [Parameter]

    /// Whether the formula predicts any auxiliary parameter.
    public var isDistributional: Bool { !parameters.isEmpty }

    /// Whether `text` is written as brms' `bf(…)` (or `brmsformula(…)`).
    public static func isBrmsFormulaCall(_ text: String) -> Bool {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        for name in ["bf", "brmsformula"] where trimmed.hasPrefix(name) {
            if trimmed.dropFirst(name.count).drop(while: { $0 == " " || $0 == "\t" }).first == "(" { return true }
        }
        return false
    }

    /// Parses `bf(mean formula, dpar ~ rhs, …)` or a plain formula. Errors carry the 1-based column
    /// in `text` (`formula error at column 31: 'sigma' is given twice`).
    public static func parse(_ text: String) throws -> DistributionalFormula {
        guard isBrmsFormulaCall(text) else {
            return DistributionalFormula(text: text, mean: try Formula.parse(text), parameters: [])
        }
        let characters = Array(text)
        guard let open = characters.firstIndex(of: "(") else {
            throw FormulaError(column: nil, message: "expected '(' after bf")
        }
        // Top-level commas split the arguments; parentheses nest (`(1 | g)`, `poly(x, 2)`).
        var depth = 0
        var close: Int?
        var pieces: [(start: Int, end: Int)] = []
        var start = open + 1
        for i in (open + 1)..<characters.count {
            switch characters[i] {
            case "(": depth += 1
            case ")":
                if depth == 0 {
                    close = i
                } else {
                    depth -= 1
                }
            case "," where depth == 0:
                pieces.append((start, i))
                start = i + 1
            default: break
            }
            if close != nil { break }
        }
        guard let close else {
            throw FormulaError(column: open + 1, message: "expected ')' to close '(' opened at column \(open + 1)")
        }
        pieces.append((start, close))
        if let extra = characters[(close + 1)...].firstIndex(where: { $0 != " " && $0 != "\t" }) {
            throw FormulaError(column: extra + 1, message: "unexpected '\(characters[extra])' after the closing ')' of bf(…)")
        }
        func located(_ error: Error, _ offset: Int) -> Error {
            guard var formulaError = error as? FormulaError else { return error }
            formulaError.column = formulaError.column.map { $0 + offset }
            return formulaError
        }
        let first = pieces[0]
        let meanText = String(characters[first.start..<first.end])
        guard meanText.contains(where: { $0 != " " && $0 != "\t" }) else {
            throw FormulaError(column: first.start + 1, message: "bf() needs the formula of the mean first (y ~ x)")
        }
        let mean: Formula
        do {
            mean = try Formula.parse(meanText)
        } catch {
            throw located(error, first.start)
        }
        var parameters: [Parameter] = []
        for piece in pieces.dropFirst() {
            let pieceText = String(characters[piece.start..<piece.end])
            guard let nameStart = pieceText.firstIndex(where: { $0 != " " && $0 != "\t" }) else {
                throw FormulaError(column: piece.start + 1, message: "empty argument in bf()")
            }
            let nameColumn = piece.start + pieceText.distance(from: pieceText.startIndex, to: nameStart) + 1
            let name = String(pieceText[nameStart...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
            let rest = pieceText[pieceText.index(nameStart, offsetBy: name.count)...].drop { $0 == " " || $0 == "\t" }
            guard !name.isEmpty, rest.first == "~" else {
                if rest.first == "=" {
                    throw FormulaError(column: nameColumn, message: "bf() option '\(name) = …' is not supported; "
                                       + "write bf(y ~ …, dpar ~ …) with sigma, shape, phi, nu, zi, hu or alpha")
                }
                throw FormulaError(column: nameColumn, message: "expected 'dpar ~ …' (sigma, shape, phi, nu, zi, hu or alpha) in bf()")
            }
            if parameters.contains(where: { $0.name == name }) {
                throw FormulaError(column: nameColumn, message: "'\(name)' is given twice in bf()")
            }
            // Parse `name ~ rhs` as written (columns stay right), then give it the mean's response.
            var formula: Formula
            do {
                formula = try Formula.parse(String(pieceText[nameStart...]))
            } catch {
                throw located(error, nameColumn - 1)
            }
            if let label = formula.additions.labels.first {
                throw FormulaError(column: nameColumn, message: "\(name) ~ …: addition term \(label) belongs to the response of the mean")
            }
            if !formula.offsets.isEmpty {
                throw FormulaError(column: nameColumn, message: "\(name) ~ …: offset() in a dpar formula is not supported")
            }
            if let term = formula.monotonic.first {
                throw FormulaError(column: nameColumn, message: "\(name) ~ …: \(term.text) in a dpar formula is not supported")
            }
            formula.response = mean.response
            formula.additions = mean.additions
            formula.text = "\(mean.response.variable.label) ~ " + String(pieceText[nameStart...].drop { $0 != "~" }.dropFirst())
                .trimmingSpaces()
            parameters.append(Parameter(name: name, formula: formula,
                                        text: String(pieceText[nameStart...]).trimmingSpaces(), column: nameColumn))
        }
        return DistributionalFormula(text: text, mean: mean, parameters: parameters)
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
