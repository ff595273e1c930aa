import Foundation

/// Parses a decimal number from CSV bytes as R's `type.convert` accepts it: optional sign, digits
/// with an optional decimal point, optional exponent; also `Inf`, `-Inf`, `NaN` (missing).
///
/// Fast path (Clinger 1990, "How to read floating point numbers accurately"): with at most 15
/// significant digits the digits form an exact integer m < 2⁵³ and, for |e| ≤ 22, 10^|e| is exact,
/// so m × 10^e (or m / 10^−e) is a single correctly rounded operation. Everything else goes to
/// `strtod`, which is correctly rounded.
enum NumberParser {
    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The number in `bytes[start..<end]`; `decimal` is the decimal mark (`.`, or `,` for
    /// European CSV files).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
                      decimal: UInt8 = UInt8(ascii: ".")) -> Double? {
        var i = start
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < end else { return nil }
        let first = bytes[i]
        if first == UInt8(ascii: "I") || first == UInt8(ascii: "N") { return special(bytes, i, end, negative) }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var digits = 0
        var truncated = false
        while i < end, bytes[i] &- 48 < 10 {
            let d = UInt64(bytes[i] &- 48)
            if mantissa == 0 && d == 0 { } else if significant < 19 { mantissa = mantissa * 10 + d; significant += 1 }
            else { exponent += 1; truncated = true }
            digits += 1
            i += 1
        }
        if i < end, bytes[i] == decimal {
            i += 1
            while i < end, bytes[i] &- 48 < 10 {
                let d = UInt64(bytes[i] &- 48)
                if mantissa == 0 && d == 0 { exponent -= 1 }
                else if significant < 19 { mantissa = mantissa * 10 + d; significant += 1; exponent -= 1 }
                else { truncated = true }
                digits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var value = 0
            var exponentDigits = 0
            while i < end, bytes[i] &- 48 < 10 {
                if value < 100_000 { value = value * 10 + Int(bytes[i] &- 48) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard i == end else { return nil }
        if !truncated, significant <= 15 {
            let m = Double(mantissa)
            if mantissa == 0 { return negative ? -0.0 : 0 }
            if exponent == 0 { return negative ? -m : m }
            if exponent > 0, exponent <= 22 { let v = m * powersOfTen[exponent]; return negative ? -v : v }
            if exponent < 0, exponent >= -22 { let v = m / powersOfTen[-exponent]; return negative ? -v : v }
        }
        return slowPath(bytes, start, end, decimal: decimal)
    }

    private static func special(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ end: Int, _ negative: Bool) -> Double? {
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
        switch word {
        case "Inf", "inf", "Infinity": return negative ? -.infinity : .infinity
        case "NaN": return .nan
        default: return nil
        }
    }

    private static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, decimal: UInt8) -> Double? {
        var buffer = [CChar](repeating: 0, count: end - start + 1)
        for k in start..<end {
            // strtod reads the C locale's '.'; a '.' in a decimal-comma number is not a number.
            if decimal != UInt8(ascii: "."), bytes[k] == UInt8(ascii: ".") { return nil }
            buffer[k - start] = CChar(bitPattern: bytes[k] == decimal ? UInt8(ascii: ".") : bytes[k])
        }
        return buffer.withUnsafeBufferPointer { p -> Double? in
            var endPointer: UnsafeMutablePointer<CChar>?
            let v = strtod(p.baseAddress!, &endPointer)
            guard let endPointer, endPointer - UnsafeMutablePointer(mutating: p.baseAddress!) == end - start else { return nil }
            return v
        }
    }
}
