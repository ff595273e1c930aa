/// A formula function whose value depends on more than the row it is applied to (R's
/// "stateful" terms, `makepredictcall`), or that sets a factor's coding:
/// `poly(x, k)`, `poly(x, k, raw = TRUE)`, `scale(x)`, `scale(x, scale = FALSE)`, `C(f, sum)`.
/// Such a call must stand alone as a variable (`poly(x, 2):f` is fine, `log(poly(x, 2))` is not).
enum TermTransform: Equatable {
    /// `poly(x, degree)`: R's orthogonal basis, or the raw powers x, x², … with `raw = TRUE`.
    case polynomial(degree: Int, raw: Bool)
    /// `scale(x, center, scale)`.
    case standardization(centering: Bool, scaling: Bool)
    /// `C(f, kind)`: the factor f with the given contrasts.
    case contrast(ContrastKind)

    /// Function names handled here.
    static let names: Set<String> = ["poly", "scale", "C"]

    /// The transform of a `poly`/`scale`/`C` call and the node of its data argument; nil for
    /// other nodes. Errors name the argument's column.
    static func parse(_ node: FormulaNode) throws -> (TermTransform, argument: FormulaNode)? {
        guard case .call(let function, let arguments, let column) = node, names.contains(function) else { return nil }
        let (positional, named) = try splitCallArguments(function, arguments)
        guard let data = positional.first else {
            throw FormulaError(column: column, message: "\(function)() needs a column as its first argument")
        }
        func logical(_ node: FormulaNode, _ what: String) throws -> Bool {
            if case .name(let value, _) = node {
                if value == "TRUE" || value == "T" { return true }
                if value == "FALSE" || value == "F" { return false }
            }
            throw FormulaError(column: node.column, message: "\(function)(): '\(what)' must be TRUE or FALSE")
        }
        func unknown(_ name: String, _ at: Int, _ known: String) -> FormulaError {
            FormulaError(column: at, message: "\(function)(): unknown argument '\(name)' (known: \(known))")
        }
        switch function {
        case "poly":
            guard positional.count <= 2 else {
                throw FormulaError(column: positional[2].column, message: "poly() takes one column: poly(x, degree) or poly(x, degree, raw = TRUE)")
            }
            var degreeNode = positional.count == 2 ? positional[1] : nil
            var raw = false
            for (name, value, at) in named {
                switch name {
                case "degree": degreeNode = value
                case "raw": raw = try logical(value, "raw")
                default: throw unknown(name, at, "degree, raw")
                }
            }
            var degree = 1
            if let degreeNode {
                guard case .number(let value, _) = degreeNode, value >= 1, value <= 20, value == value.rounded() else {
                    throw FormulaError(column: degreeNode.column, message: "poly(): the degree must be a whole number from 1 to 20")
                }
                degree = Int(value)
            }
            try FormulaFunctions.checkArithmetic(data)
            return (.polynomial(degree: degree, raw: raw), data)
        case "scale":
            var flags = [true, true]
            let names = ["center", "scale"]
            for (k, node) in positional.dropFirst().enumerated() {
                guard k < 2 else { throw FormulaError(column: node.column, message: "scale() takes scale(x, center = TRUE, scale = TRUE)") }
                flags[k] = try logical(node, names[k])
            }
            for (name, value, at) in named {
                guard let k = names.firstIndex(of: name) else { throw unknown(name, at, "center, scale") }
                flags[k] = try logical(value, name)
            }
            try FormulaFunctions.checkArithmetic(data)
            return (.standardization(centering: flags[0], scaling: flags[1]), data)
        default:
            guard positional.count == 2, named.isEmpty, case .name(let kindName, let kindColumn) = positional[1] else {
                throw FormulaError(column: column, message: "C() takes a factor and a contrast: C(f, sum)")
            }
            guard let kind = ContrastKind(name: kindName) else {
                throw FormulaError(column: kindColumn, message: "unknown contrast '\(kindName)'; use \(ContrastKind.acceptedNames)")
            }
            switch data {
            case .name: break
            case .call(let inner, let innerArguments, _) where FormulaFunctions.factor.contains(inner) && innerArguments.count == 1:
                try FormulaFunctions.checkArithmetic(data)
            default:
                throw FormulaError(column: data.column, message: "C(): the first argument must be a column or factor(column)")
            }
            return (.contrast(kind), data)
        }
    }
}
