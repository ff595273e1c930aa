/// Conversion between the variable names of summaries and JSON (DESIGN §3: `theta[1]`,
/// `r_Subject[308,Intercept]`) and CmdStan CSV column names (`theta.1`, `r_Subject.1.1` — the
/// index form that ArviZ, cmdstanr and posterior parse as arrays).
///
/// Indices that are not simply 1, 2, …, K (level and term names of group-level effects) are
/// written as positions 1, 2, … in order of first appearance, and each position's name is
/// recorded in a comment line of the CSV (`# index: r_Subject dim 1 position 3 = 330`) so that
/// reading the file restores the names.
public enum CmdStanColumnNames {
    /// One index name: array `base`, dimension `dimension` (1-based), position `position`
    /// (1-based) is called `name`.
    public struct IndexName: Sendable, Equatable {
        public var base: String
        public var dimension: Int
        public var position: Int
        public var name: String
    }

    static let commentPrefix = "index: "

    /// Splits `name[a,b]` into (`name`, [a, b]); nil for a name without a bracketed suffix.
    static func bracketParts(_ name: String) -> (base: String, indices: [String])? {
        guard name.hasSuffix("]"), let open = name.firstIndex(of: "["), open != name.startIndex else { return nil }
        let inner = name[name.index(after: open)..<name.index(before: name.endIndex)]
        return (String(name[..<open]), inner.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    /// CSV column names for `names`, and the index names to record in the comment block.
    public static func columns(for names: [String]) -> (columns: [String], indexNames: [IndexName]) {
        // Per (base, dimension): the index labels in order of first appearance.
        var labels: [String: [[String]]] = [:]
        var baseOrder: [String] = []
        for name in names {
            guard let (base, indices) = bracketParts(name) else { continue }
            if labels[base] == nil { labels[base] = []; baseOrder.append(base) }
            while labels[base]!.count < indices.count { labels[base]!.append([]) }
            for (d, index) in indices.enumerated() where !labels[base]![d].contains(index) {
                labels[base]![d].append(index)
            }
        }
        var indexNames: [IndexName] = []
        var needsMapping: [String: [Bool]] = [:]
        for base in baseOrder {
            // Indices already 1, 2, …, K in order are kept; anything else (level names, even
            // numeric ones such as sleepstudy's subjects 308, 309, …) becomes positions.
            needsMapping[base] = labels[base]!.map { dimension in
                dimension != (1...max(dimension.count, 1)).prefix(dimension.count).map(String.init)
            }
            for (d, dimension) in labels[base]!.enumerated() where needsMapping[base]![d] {
                for (p, label) in dimension.enumerated() {
                    indexNames.append(IndexName(base: base, dimension: d + 1, position: p + 1, name: label))
                }
            }
        }
        let columns = names.map { name -> String in
            guard let (base, indices) = bracketParts(name) else { return name }
            let positions = indices.enumerated().map { d, index -> String in
                if needsMapping[base]![d] { return String(labels[base]![d].firstIndex(of: index)! + 1) }
                return index
            }
            return ([base] + positions).joined(separator: ".")
        }
        return (columns, indexNames)
    }

    /// The comment line (without `# `) recording one index name.
    /// The level name is escaped (`escapeComment`) so that a level holding a newline or other
    /// control character stays on its line.
    public static func comment(_ index: IndexName) -> String {
        "\(commentPrefix)\(index.base) dim \(index.dimension) position \(index.position) = \(escapeComment(index.name))"
    }

    /// `text` for one comment line: backslash as `\\`, newline `\n`, carriage return `\r`, tab
    /// `\t` and any other control character as `\u{XX}`; `unescapeComment` reverses it.
    public static func escapeComment(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// The text `escapeComment` escaped.
    public static func unescapeComment(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var result = ""
        var scalars = Substring(text).unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "\\", let next = scalars.first else { result.unicodeScalars.append(scalar); continue }
            scalars.removeFirst()
            switch next {
            case "n": result += "\n"
            case "r": result += "\r"
            case "t": result += "\t"
            case "u":
                if scalars.first == "{", let close = scalars.firstIndex(of: "}"),
                   let value = UInt32(String(String.UnicodeScalarView(scalars[scalars.index(after: scalars.startIndex)..<close])), radix: 16),
                   let decoded = Unicode.Scalar(value) {
                    result.unicodeScalars.append(decoded)
                    scalars = scalars[scalars.index(after: close)...]
                } else {
                    result += "\\u"
                }
            default: result.unicodeScalars.append(next)
            }
        }
        return result
    }

    /// Parses a comment (text after `#`, leading spaces allowed) written by `comment(_:)`.
    public static func parseComment(_ text: String) -> IndexName? {
        let trimmed = text.drop { $0 == " " }
        guard trimmed.hasPrefix(commentPrefix) else { return nil }
        let rest = trimmed.dropFirst(commentPrefix.count)
        guard let equals = rest.range(of: " = ") else { return nil }
        let words = rest[..<equals.lowerBound].split(separator: " ")
        guard words.count == 5, words[1] == "dim", words[3] == "position",
              let d = Int(words[2]), let p = Int(words[4]) else { return nil }
        return IndexName(base: String(words[0]), dimension: d, position: p,
                         name: unescapeComment(String(rest[equals.upperBound...])))
    }

    /// Summary names for CSV columns: `base.i.j` becomes `base[i,j]` (with recorded index names
    /// substituted); other names are unchanged.
    public static func variableNames(for columns: [String], indexNames: [IndexName]) -> [String] {
        var lookup: [String: String] = [:]
        for index in indexNames { lookup["\(index.base)\u{1}\(index.dimension)\u{1}\(index.position)"] = index.name }
        return columns.map { column in
            let parts = column.split(separator: ".", omittingEmptySubsequences: false)
            var firstIndex = parts.count
            while firstIndex > 1, let v = Int(parts[firstIndex - 1]), v >= 0 { firstIndex -= 1 }
            guard firstIndex < parts.count else { return column }
            let base = parts[..<firstIndex].joined(separator: ".")
            let indices = parts[firstIndex...].enumerated().map { d, position in
                lookup["\(base)\u{1}\(d + 1)\u{1}\(position)"] ?? String(position)
            }
            return base + "[" + indices.joined(separator: ",") + "]"
        }
    }
}
