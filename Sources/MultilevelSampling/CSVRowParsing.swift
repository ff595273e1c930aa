import Foundation
import MultilevelData

/// The lines of a text file as byte ranges, and the number parsing the draws readers share.
/// Files are read whole; numbers are parsed with `strtod` straight from the bytes.
struct TextLines {
    let bytes: [UInt8]
    /// (start, end) byte offsets of each line without its line break.
    let ranges: [(start: Int, end: Int)]
    /// Whether the last line ends without a line break (a run killed mid-write).
    let lastLineUnterminated: Bool

    init(contentsOf url: URL) throws {
        let data: Data
        do { data = try InputFile.read(path: url.path) } catch let failure as InputFile.Failure {
            throw DrawsFileError.unreadable(file: url.path, reason: failure.description)
        }
        var terminated = [UInt8]()
        terminated.reserveCapacity(data.count + 1)
        terminated.append(contentsOf: data)
        terminated.append(0)
        self.init(terminated: terminated, count: data.count)
    }

    init(bytes: [UInt8]) {
        var terminated = bytes
        terminated.append(0)
        self.init(terminated: terminated, count: bytes.count)
    }

    /// Lines of the first `n` bytes of `b`, whose byte `n` is the 0 that stops `strtod` at the end
    /// of the last line. Line breaks are found with `memchr`.
    private init(terminated b: [UInt8], count n: Int) {
        var ranges: [(Int, Int)] = []
        var start = 0
        b.withUnsafeBufferPointer { p in
            let base = UnsafeRawPointer(p.baseAddress!)
            while start < n {
                guard let hit = memchr(base + start, 10, n - start) else { break }
                let i = base.distance(to: UnsafeRawPointer(hit))
                var end = i
                if end > start && p[end - 1] == 13 { end -= 1 }
                ranges.append((start, end))
                start = i + 1
            }
        }
        lastLineUnterminated = start < n
        if start < n { ranges.append((start, n)) }
        self.bytes = b
        self.ranges = ranges
    }

    func text(_ line: Int) -> String {
        let r = ranges[line]
        return String(decoding: bytes[r.start..<r.end], as: UTF8.self)
    }

    /// Whether line `line` starts with `#`.
    func isComment(_ line: Int) -> Bool {
        let r = ranges[line]
        return r.end > r.start && bytes[r.start] == 35
    }

    /// Whether line `line` is empty or only spaces.
    func isBlank(_ line: Int) -> Bool {
        let r = ranges[line]
        for i in r.start..<r.end where bytes[i] != 32 && bytes[i] != 9 { return false }
        return true
    }

    /// The number of comma-separated fields on line `line` (quotes are not expected in data rows).
    func fieldCount(_ line: Int) -> Int {
        let r = ranges[line]
        var count = 1
        for i in r.start..<r.end where bytes[i] == 44 { count += 1 }
        return count
    }

    /// Parses the comma-separated numbers of line `line` into `row` (which must have room for
    /// `row.count` fields). Returns nil on success, or the 0-based index and text of the first
    /// field that is not a number. `NA`, `NaN`, `nan` parse as NaN; `inf`/`Inf` as infinities.
    func parseNumbers(_ line: Int, into row: UnsafeMutableBufferPointer<Double>) -> (field: Int, text: String)? {
        let r = ranges[line]
        return bytes.withUnsafeBufferPointer { p -> (Int, String)? in
            let base = UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: CChar.self)
            var position = r.start
            for field in 0..<row.count {
                let fieldStart = position
                var value: Double
                var end: Int
                if let simple = parseShortDecimal(p, from: position, fieldLimit: r.end) {
                    (value, end) = simple
                } else {
                    var endPointer: UnsafeMutablePointer<CChar>?
                    value = strtod(base + position, &endPointer)
                    end = endPointer.map { base.distance(to: UnsafePointer($0)) } ?? position
                }
                if end == fieldStart || end > r.end {
                    // Not a number by strtod: accept R's NA (possibly quoted) as NaN.
                    var fieldEnd = fieldStart
                    while fieldEnd < r.end && p[fieldEnd] != 44 { fieldEnd += 1 }
                    let text = String(decoding: p[fieldStart..<fieldEnd], as: UTF8.self)
                    let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: " \""))
                    guard trimmed == "NA" else { return (field, text) }
                    row[field] = .nan
                    end = fieldEnd
                } else {
                    row[field] = value
                }
                // Skip trailing spaces, then expect a comma (or the end for the last field).
                while end < r.end && p[end] == 32 { end += 1 }
                if field + 1 < row.count {
                    guard end < r.end && p[end] == 44 else {
                        var fieldEnd = fieldStart
                        while fieldEnd < r.end && p[fieldEnd] != 44 { fieldEnd += 1 }
                        return (field, String(decoding: p[fieldStart..<fieldEnd], as: UTF8.self))
                    }
                    position = end + 1
                } else if end != r.end {
                    return (field, String(decoding: p[fieldStart..<r.end], as: UTF8.self))
                }
            }
            return nil
        }
    }
}

/// Exact powers of ten 10⁰ … 10²² (every one is a double).
private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                          1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// The number at `start` when it is a plain decimal (`-12.5`, `3`, `6.02e23`) whose digits form
/// an integer w ≤ 2⁵³ and whose power of ten 10ᵉ has |e| ≤ 22, ending at a comma, a space or
/// `fieldLimit`: then w and 10^|e| are exact doubles and one multiplication or division gives the
/// correctly rounded value (Clinger 1990, "How to read floating point numbers accurately" — the
/// value `strtod` returns). CmdStan's 6-significant-digit output always takes this path. Anything
/// else (more digits, other syntax) is nil and left to `strtod`.
@inline(__always)
func parseShortDecimal(_ p: UnsafeBufferPointer<UInt8>, from start: Int, fieldLimit: Int)
    -> (value: Double, end: Int)? {
    var i = start
    var negative = false
    if i < fieldLimit && (p[i] == 45 || p[i] == 43) {  // - +
        negative = p[i] == 45
        i += 1
    }
    var significand: UInt64 = 0
    var significantDigits = 0
    var exponent = 0
    var sawDigit = false
    var inFraction = false
    while i < fieldLimit {
        let c = p[i]
        if c == 46 && !inFraction {  // .
            inFraction = true
            i += 1
            continue
        }
        let digit = c &- 48
        guard digit < 10 else { break }
        sawDigit = true
        if significand != 0 || digit != 0 { significantDigits += 1 }
        if significantDigits > 19 { return nil }
        significand = significand * 10 + UInt64(digit)
        if inFraction { exponent -= 1 }
        i += 1
    }
    guard sawDigit else { return nil }
    if i < fieldLimit && p[i] | 0x20 == 101 {  // e E
        i += 1
        var exponentNegative = false
        if i < fieldLimit && (p[i] == 45 || p[i] == 43) {
            exponentNegative = p[i] == 45
            i += 1
        }
        guard i < fieldLimit, p[i] &- 48 < 10 else { return nil }
        var written = 0
        while i < fieldLimit, p[i] &- 48 < 10 {
            written = written * 10 + Int(p[i] &- 48)
            if written > 100_000 { return nil }
            i += 1
        }
        exponent += exponentNegative ? -written : written
    }
    guard i == fieldLimit || p[i] == 44 || p[i] == 32 else { return nil }
    guard significand <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
    var value = Double(significand)
    if exponent < 0 { value /= exactPowersOfTen[-exponent] } else { value *= exactPowersOfTen[exponent] }
    return (negative ? -value : value, i)
}

/// Splits a CSV header line into names, removing RFC 4180 quotes (`"a ""b"""` → `a "b"`).
func splitHeaderFields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var inQuotes = false
    var iterator = line.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? iterator.next() {
        pending = nil
        if inQuotes {
            if c == "\"" {
                if let next = iterator.next() {
                    if next == "\"" { current.append("\"") } else { inQuotes = false; pending = next }
                } else { inQuotes = false }
            } else { current.append(c) }
        } else if c == "\"" {
            inQuotes = true
        } else if c == "," {
            fields.append(current.trimmingCharacters(in: .whitespaces))
            current = ""
        } else {
            current.append(c)
        }
    }
    fields.append(current.trimmingCharacters(in: .whitespaces))
    return fields
}

/// Refuses a header whose column names a summary could not tell apart: an empty name, or a name
/// given twice (both would be printed under one name, the second holding other draws). Linear in
/// the number of columns.
func requireDistinctColumnNames(_ names: [String], file: String) throws {
    var seen: [String: Int] = [:]
    seen.reserveCapacity(names.count)
    for (index, name) in names.enumerated() {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw DrawsFileError.ambiguousColumn(file: file, column: index + 1, detail: "empty column name")
        }
        if let earlier = seen.updateValue(index, forKey: name) {
            throw DrawsFileError.ambiguousColumn(file: file, column: index + 1,
                                                 detail: "'\(abbreviatedForMessage(name))' is also the name of column \(earlier + 1)")
        }
    }
}
