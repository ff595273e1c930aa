import Foundation
import MultilevelSampling

/// brms' `hypothesis(fit, "Days > 8")` for a linear (or any arithmetic) combination of parameters:
/// the draws of d = lhs − rhs summarised as Estimate (mean), Est.Error (sd) and a credible
/// interval — for a one-sided hypothesis (`>`, `<`) the interval between the α and 1 − α
/// quantiles (90% for α = 0.05), for a two-sided one (`=`) between α/2 and 1 − α/2 — with, for
/// one-sided hypotheses, the posterior probability P(H) of the draws and the evidence ratio
/// P(H)/(1 − P(H)). brms' evidence ratio of a two-sided hypothesis (Savage–Dickey) needs prior
/// draws and is not given (brms prints NA without `sample_prior`). Parameter names are written as
/// brms writes them: population-level effects without `b_` (`Days`, `Intercept`), other
/// parameters by their full names (`sd_Subject__Intercept`, `sigma`).
public struct Hypothesis: Sendable, Equatable {
    public enum Direction: String, Sendable { case greater = ">", less = "<", equal = "=" }

    /// brms' rewritten form: `(Days)-(8) > 0`.
    public var text: String
    public var direction: Direction
    public var estimate: Double
    public var error: Double
    public var lower: Double
    public var upper: Double
    /// P(H)/(1 − P(H)) and P(H) (one-sided; nil for two-sided).
    public var evidenceRatio: Double?
    public var posteriorProbability: Double?
    /// The α the interval was computed with.
    public var alpha: Double
    /// brms' star: for a one-sided hypothesis the posterior probability exceeds 1 − α, for a
    /// two-sided one 0 lies outside the interval.
    public var star: Bool {
        if let probability = posteriorProbability { return probability > 1 - alpha }
        return lower > 0 || upper < 0
    }

    /// Evaluates `statement` (`lhs > rhs`, `lhs < rhs`, `lhs = rhs`) on every draw of `draws`.
    public init(_ statement: String, draws: Draws, alpha: Double = 0.05) throws {
        let (lhs, direction, rhs) = try Self.split(statement)
        let left = try HypothesisExpression.parse(lhs, statement: statement)
        let right = try HypothesisExpression.parse(rhs, statement: statement)
        let width = draws.variableCount
        var values: [Double] = []
        let resolve: (String) throws -> Int = { name in
            if let k = draws.index(of: name) ?? draws.index(of: "b_" + name) { return k }
            throw HypothesisError("hypothesis '\(statement)': unknown parameter '\(name)' (population-level effects are written without b_, e.g. 'Days'; others by full name, e.g. 'sd_Subject__Intercept')")
        }
        let leftIndex = try left.bind(resolve), rightIndex = try right.bind(resolve)
        for chain in draws.chains {
            for row in 0..<(chain.count / Swift.max(width, 1)) {
                let base = row * width
                values.append(leftIndex.evaluate { chain[base + $0] } - rightIndex.evaluate { chain[base + $0] })
            }
        }
        guard !values.isEmpty else { throw HypothesisError("hypothesis '\(statement)': no draws") }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Swift.max(n - 1, 1)).squareRoot()
        let sorted = values.sorted()
        text = "(\(lhs.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")))-(\(rhs.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: ""))) \(direction.rawValue) 0"
        self.direction = direction
        self.alpha = alpha
        estimate = mean
        error = sd
        switch direction {
        case .equal:
            lower = quantileType7(sorted, probability: alpha / 2)
            upper = quantileType7(sorted, probability: 1 - alpha / 2)
            evidenceRatio = nil
            posteriorProbability = nil
        case .greater, .less:
            lower = quantileType7(sorted, probability: alpha)
            upper = quantileType7(sorted, probability: 1 - alpha)
            let hits = Double(values.filter { direction == .greater ? $0 > 0 : $0 < 0 }.count)
            posteriorProbability = hits / n
            evidenceRatio = hits == n ? .infinity : hits / (n - hits)
        }
    }

    static func split(_ statement: String) throws -> (String, Direction, String) {
        for (symbol, direction) in [(">", Direction.greater), ("<", .less), ("=", .equal)] {
            let parts = statement.components(separatedBy: symbol)
            if parts.count == 2 {
                guard !parts[0].trimmingCharacters(in: .whitespaces).isEmpty,
                      !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else { break }
                return (parts[0], direction, parts[1])
            }
        }
        throw HypothesisError("hypothesis '\(statement)': expected one comparison 'lhs > rhs', 'lhs < rhs' or 'lhs = rhs', e.g. 'Days > 8'")
    }
}

/// A hypothesis that cannot be evaluated (one line).
public struct HypothesisError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Arithmetic over parameter names and numbers: + − * / ^, unary minus, parentheses.
indirect enum HypothesisExpression {
    case number(Double)
    case name(String)
    case variable(Int)
    case negate(HypothesisExpression)
    case binary(Character, HypothesisExpression, HypothesisExpression)

    static func parse(_ text: String, statement: String) throws -> HypothesisExpression {
        var parser = Parser(characters: Array(text), statement: statement)
        let expression = try parser.sum()
        parser.skipSpaces()
        guard parser.position == parser.characters.count else {
            throw HypothesisError("hypothesis '\(statement)': unexpected '\(parser.characters[parser.position])' in '\(text.trimmingCharacters(in: .whitespaces))'")
        }
        return expression
    }

    func bind(_ resolve: (String) throws -> Int) throws -> HypothesisExpression {
        switch self {
        case .number, .variable: return self
        case .name(let name): return .variable(try resolve(name))
        case .negate(let inner): return .negate(try inner.bind(resolve))
        case .binary(let op, let a, let b): return .binary(op, try a.bind(resolve), try b.bind(resolve))
        }
    }

    func evaluate(_ value: (Int) -> Double) -> Double {
        switch self {
        case .number(let x): return x
        case .name: return .nan
        case .variable(let k): return value(k)
        case .negate(let inner): return -inner.evaluate(value)
        case .binary(let op, let a, let b):
            let x = a.evaluate(value), y = b.evaluate(value)
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            case "/": return x / y
            default: return pow(x, y)
            }
        }
    }

    struct Parser {
        let characters: [Character]
        let statement: String
        var position = 0

        init(characters: [Character], statement: String) {
            self.characters = characters
            self.statement = statement
        }

        mutating func skipSpaces() { while position < characters.count, characters[position] == " " { position += 1 } }

        mutating func sum() throws -> HypothesisExpression {
            var left = try product()
            while true {
                skipSpaces()
                guard position < characters.count, "+-".contains(characters[position]) else { return left }
                let op = characters[position]
                position += 1
                left = .binary(op, left, try product())
            }
        }

        mutating func product() throws -> HypothesisExpression {
            var left = try power()
            while true {
                skipSpaces()
                guard position < characters.count, "*/".contains(characters[position]) else { return left }
                let op = characters[position]
                position += 1
                left = .binary(op, left, try power())
            }
        }

        mutating func power() throws -> HypothesisExpression {
            let base = try unary()
            skipSpaces()
            guard position < characters.count, characters[position] == "^" else { return base }
            position += 1
            return .binary("^", base, try power())
        }

        mutating func unary() throws -> HypothesisExpression {
            skipSpaces()
            guard position < characters.count else { throw HypothesisError("hypothesis '\(statement)': expression ends too early") }
            let c = characters[position]
            if c == "-" { position += 1; return .negate(try unary()) }
            if c == "+" { position += 1; return try unary() }
            if c == "(" {
                position += 1
                let inner = try sum()
                skipSpaces()
                guard position < characters.count, characters[position] == ")" else {
                    throw HypothesisError("hypothesis '\(statement)': missing ')'")
                }
                position += 1
                return inner
            }
            if c.isNumber || c == "." {
                var text = ""
                while position < characters.count, characters[position].isNumber || characters[position] == "."
                        || ((characters[position] == "e" || characters[position] == "E") && !text.isEmpty) {
                    text.append(characters[position])
                    position += 1
                }
                guard let value = Double(text) else { throw HypothesisError("hypothesis '\(statement)': bad number '\(text)'") }
                return .number(value)
            }
            var name = ""
            var depth = 0
            while position < characters.count {
                let d = characters[position]
                if d == "[" { depth += 1 } else if d == "]" { depth -= 1 }
                guard depth > 0 || d.isLetter || d.isNumber || "_.:[]".contains(d) else { break }
                name.append(d)
                position += 1
            }
            guard !name.isEmpty else { throw HypothesisError("hypothesis '\(statement)': unexpected '\(c)'") }
            return .name(name)
        }
    }
}
