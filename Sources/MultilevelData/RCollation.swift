import Foundation

/// R's order of factor levels and R's spelling of numbers as factor labels.
///
/// R sorts a character vector with the C library's collation of the session's locale. For the
/// English UTF-8 locales that R users typically run (`en_US.UTF-8`, `en_GB.UTF-8`) this is, for
/// the labels data files contain:
/// 1. compare the strings ignoring case (character by character on the lower-cased text, so digits
///    come before letters and `"b" < "B10" < "c"`);
/// 2. if they are equal ignoring case, the first position where the case differs decides, the
///    lower-case letter first (`"a" < "A"`, `"ab" < "aB" < "Ab"`);
/// 3. otherwise by Unicode scalar values (only identical strings remain equal).
/// `Tests/MultilevelDataTests` check this rule against R's own `sort()` on a fixture.
public enum RCollation {
    /// Whether `a` sorts before `b` in R's order.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// -1, 0 or 1 as `a` sorts before, equal to or after `b`.
    public static func compare(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        let la = Array(a.lowercased().unicodeScalars), lb = Array(b.lowercased().unicodeScalars)
        let common = min(la.count, lb.count)
        for i in 0..<common where la[i] != lb[i] {
            return la[i].value < lb[i].value ? -1 : 1
        }
        if la.count != lb.count { return la.count < lb.count ? -1 : 1 }
        // Equal ignoring case: lower case first at the first difference in case.
        let sa = Array(a.unicodeScalars), sb = Array(b.unicodeScalars)
        for i in 0..<min(sa.count, sb.count) where sa[i] != sb[i] {
            let aLower = Character(sa[i]).isLowercase, bLower = Character(sb[i]).isLowercase
            if aLower != bLower { return aLower ? -1 : 1 }
            return sa[i].value < sb[i].value ? -1 : 1
        }
        return sa.count < sb.count ? -1 : (sa.count > sb.count ? 1 : 0)
    }

    /// `labels` sorted in R's order.
    public static func sorted(_ labels: [String]) -> [String] {
        labels.sorted(by: precedes)
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
