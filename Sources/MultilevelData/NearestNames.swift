/// Suggestions for misspelt names (columns, model-file keys, functions): Levenshtein distance on
/// lower-cased text.

/// Levenshtein edit distance between two strings, counted in characters.
public func levenshteinDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The candidates nearest to `name` (case-insensitive edit distance), best first, at most `limit`,
/// only those within a plausible-typo distance (max(2, length/3)). A candidate that contains
/// `name` or is contained in it also counts as near.
public func nearestNames(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
    let lowered = name.lowercased()
    var scored: [(name: String, distance: Int, order: Int)] = []
    for (order, candidate) in candidates.enumerated() {
        let other = candidate.lowercased()
        var distance = levenshteinDistance(lowered, other)
        if lowered.count >= 2, other.count >= 2, other.contains(lowered) || lowered.contains(other) {
            distance = min(distance, 1)
        }
        if distance <= max(2, name.count / 3) { scored.append((candidate, distance, order)) }
    }
    scored.sort { ($0.distance, $0.order) < ($1.distance, $1.order) }
    return scored.prefix(limit).map(\.name)
}

/// The tail of an "unknown column" message: `; nearest column: Days`, or, when nothing is near,
/// `; the data has columns a, b, c` (at most 8 listed).
public func nearestColumnsHint(for name: String, columns: [String]) -> String {
    let near = nearestNames(to: name, in: columns)
    if !near.isEmpty { return "; nearest column\(near.count == 1 ? "" : "s"): \(near.joined(separator: ", "))" }
    return "; the data has columns " + columns.prefix(8).joined(separator: ", ") + (columns.count > 8 ? ", ..." : "")
}
