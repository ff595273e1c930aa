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
    public static func comment(_ index: IndexName) -> String {
        "\(commentPrefix)\(index.base) dim \(index.dimension) position \(index.position) = \(index.name)"
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
        return IndexName(base: String(words[0]), dimension: d, position: p, name: String(rest[equals.upperBound...]))
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
