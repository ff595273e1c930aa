import Foundation

/// R's order of factor levels and R's spelling of numbers as factor labels.
///
/// R sorts strings (`sort`, `factor` levels, `read.csv`'s `stringsAsFactors`) with ICU's collator
/// when R is built with ICU (the usual case; `capabilities("ICU")`), and for English locales that
/// is the Unicode Collation Algorithm with the CLDR root order. This type implements the three
/// levels of that order for the characters data files contain:
/// 1. primary — character by character: punctuation and symbols first, in CLDR order
///    (space `_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`), then digits
///    (one by one, so `"10" < "9"`), then letters ignoring case and accents (`"a" < "B" < "é" < "f"`);
///    a string that is a prefix of another comes first;
/// 2. secondary — unaccented before accented (`"e" < "é"`);
/// 3. tertiary — at the first difference in case, lower case first (`"a" < "A"`, `"ab" < "aB" < "Ab"`);
/// then by Unicode scalars, so only identical strings are equal. In short: compare ignoring case
/// first, then lower case before upper case. Contractions and script-specific tailorings are not
/// modelled. `Tests/MultilevelDataTests` check the rule against R's own `sort()` on a fixture.
public enum RCollation {
    /// ASCII punctuation and symbols in CLDR root collation order.
    private static let punctuationOrder: [UInt8] = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".utf8)
    private static let asciiPrimary: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 128)
        for c in 0..<128 { table[c] = 1_000 + UInt32(c) }            // control characters
        for (rank, c) in punctuationOrder.enumerated() { table[Int(c)] = 1_000_000 + UInt32(rank) }
        for d in 0..<10 { table[48 + d] = 2_000_000 + UInt32(d) }
        for l in 0..<26 {
            table[97 + l] = 3_000_000 + UInt32(97 + l)
            table[65 + l] = 3_000_000 + UInt32(97 + l)
        }
        return table
    }()

    /// The collation key of `text`: primary weights, 0, secondary, 0, tertiary, 0, scalars.
    /// Keys compare lexicographically in R's order.
    public static func key(_ text: String) -> [UInt32] {
        var primary: [UInt32] = [], secondary: [UInt32] = [], tertiary: [UInt32] = [], scalars: [UInt32] = []
        for character in text {
            let scalar = character.unicodeScalars.first!.value
            scalars.append(contentsOf: character.unicodeScalars.map(\.value))
            if character.unicodeScalars.count == 1, scalar < 128 {
                primary.append(asciiPrimary[Int(scalar)])
                secondary.append(1)
                tertiary.append(scalar >= 65 && scalar <= 90 ? 2 : 1)
                continue
            }
            if character.isLetter {
                let base = String(character).folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
                let lowered = String(character).lowercased()
                primary.append(contentsOf: base.unicodeScalars.map { 3_000_000 + $0.value })
                secondary.append(base == lowered ? 1 : 2 + (lowered.unicodeScalars.last?.value ?? 0))
                tertiary.append(character.isUppercase ? 2 : 1)
            } else if let digit = character.wholeNumberValue, character.isNumber {
                primary.append(2_000_000 + UInt32(max(0, min(digit, 1_000))))
                secondary.append(1)
                tertiary.append(1)
            } else {
                primary.append(1_000_100 + scalar)
                secondary.append(1)
                tertiary.append(1)
            }
        }
        return primary + [0] + secondary + [0] + tertiary + [0] + scalars
    }

    /// Whether `a` sorts before `b` in R's order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// -1, 0 or 1 as `a` sorts before, equal to or after `b`.
    public static func compare(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        let ka = key(a), kb = key(b)
        return ka.lexicographicallyPrecedes(kb) ? -1 : (kb.lexicographicallyPrecedes(ka) ? 1 : 0)
    }

    /// `labels` sorted in R's order.
    public static func sorted(_ labels: [String]) -> [String] {
        sortedIndices(labels).map { labels[$0] }
    }

    /// Indices of `labels` in R's order (keys computed once per label).
    public static func sortedIndices(_ labels: [String]) -> [Int] {
        let keys = labels.map(key)
        return labels.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
    }

    /// R's `as.character` of a double, as `factor()` spells numeric levels: at most 15 significant
    /// digits, fixed notation unless scientific is shorter (`1`, `0.5`, `1e+05`, `123456`, `1e-04`).
    public static func label(of value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        if value == 0 { return "0" }
        // Shortest significant-digit string that equals the value rounded to 15 digits.
        let target = Double(String(format: "%.14e", value)) ?? value
        var mantissa = ""
        var exponent = 0
        for significant in 1...15 {
            let text = String(format: "%.\(significant - 1)e", value)
            if Double(text) == target || significant == 15 {
                let parts = text.split(separator: "e")
                mantissa = parts[0].replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ".", with: "")
                exponent = Int(parts[1]) ?? 0
                break
            }
        }
        let sign = value < 0 ? "-" : ""
        let digits = Array(mantissa)
        let k = digits.count
        // Fixed notation.
        var fixed: String
        if exponent >= k - 1 {
            fixed = mantissa + String(repeating: "0", count: exponent - (k - 1))
        } else if exponent >= 0 {
            fixed = String(digits[0...exponent]) + "." + String(digits[(exponent + 1)...])
        } else {
            fixed = "0." + String(repeating: "0", count: -exponent - 1) + mantissa
        }
        fixed = sign + fixed
        // Scientific notation as R prints it: 1e+05, 1.5e-07, 1e+100.
        let exponentText = (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
        let scientific = sign + String(digits[0]) + (k > 1 ? "." + String(digits[1...]) : "") + "e" + exponentText
        return fixed.count <= scientific.count ? fixed : scientific
    }
}
