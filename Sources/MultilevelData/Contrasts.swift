/// The coding of a factor's K levels by K − 1 model-matrix columns, as R's contrast functions
/// build it, with the column names R's `model.matrix` gives (`recipe1`, `temperature.L`).
public enum ContrastKind: String, Sendable, Equatable, CaseIterable {
    /// `contr.treatment`: level k > 1 against the first level; columns named by level.
    case treatment
    /// `contr.sum`: level j coded eⱼ, the last level −1 in every column; columns `1…K−1`.
    case sum
    /// `contr.helmert`: column j contrasts level j + 1 with the mean of levels 1…j (levels 1…j
    /// coded −1, level j + 1 coded j); columns `1…K−1`.
    case helmert
    /// `contr.poly`: orthonormal polynomials in the level scores 1…K (R's default for ordered
    /// factors); columns `.L`, `.Q`, `.C`, `^4`, ….
    case polynomial

    /// Reads `sum`, `contr.sum`, `helmert`, `poly`, `treatment` (and the `contr.` forms).
    public init?(name: String) {
        let bare = name.hasPrefix("contr.") ? String(name.dropFirst(6)) : name
        switch bare {
        case "treatment": self = .treatment
        case "sum": self = .sum
        case "helmert": self = .helmert
        case "poly", "polynomial": self = .polynomial
        default: return nil
        }
    }

    /// Names accepted by `init(name:)`, for messages.
    public static let acceptedNames = "treatment, sum, helmert, poly (or contr.treatment, contr.sum, contr.helmert, contr.poly)"

    /// R's name of the contrast function.
    public var rName: String {
        switch self {
        case .treatment: return "contr.treatment"
        case .sum: return "contr.sum"
        case .helmert: return "contr.helmert"
        case .polynomial: return "contr.poly"
        }
    }

    /// The K × (K − 1) contrast matrix, column-major: `matrix[j][level]`.
    public func matrix(levelCount k: Int) -> [[Double]] {
        precondition(k >= 2)
        switch self {
        case .treatment:
            return (1..<k).map { j -> [Double] in
                var column = [Double](repeating: 0, count: k)
                column[j] = 1
                return column
            }
        case .sum:
            return (0..<(k - 1)).map { j -> [Double] in
                var column = [Double](repeating: 0, count: k)
                column[j] = 1
                column[k - 1] = -1
                return column
            }
        case .helmert:
            return (0..<(k - 1)).map { j -> [Double] in
                var column = [Double](repeating: 0, count: k)
                for level in 0...j { column[level] = -1 }
                column[j + 1] = Double(j + 1)
                return column
            }
        case .polynomial:
            // contr.poly(k) is poly(1:k, k - 1) (both orthonormalise the centred powers of the scores).
            guard let (_, columns) = try? OrthogonalPolynomial.fit((1...k).map(Double.init), degree: k - 1) else { return [] }
            return columns
        }
    }

    /// Column-name suffixes for a factor with these levels.
    public func suffixes(levels: [String]) -> [String] {
        let k = levels.count
        switch self {
        case .treatment: return Array(levels.dropFirst())
        case .sum, .helmert: return (1..<k).map(String.init)
        case .polynomial:
            return (1..<k).map { j in j <= 3 ? [".L", ".Q", ".C"][j - 1] : "^\(j)" }
        }
    }
}
