import Foundation

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
        do { data = try Data(contentsOf: url) } catch {
            throw DrawsFileError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) {
        var b = bytes
        b.append(0) // terminator so that strtod stops at the end of the last line
        var ranges: [(Int, Int)] = []
        var start = 0
        let n = bytes.count
        b.withUnsafeBufferPointer { p in
            var i = 0
            while i < n {
                if p[i] == 10 {
                    var end = i
                    if end > start && p[end - 1] == 13 { end -= 1 }
                    ranges.append((start, end))
                    start = i + 1
                }
                i += 1
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
                var endPointer: UnsafeMutablePointer<CChar>?
                let value = strtod(base + position, &endPointer)
                var end = endPointer.map { base.distance(to: UnsafePointer($0)) } ?? position
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
