import Foundation

/// The CSV parser behind `DataTable.read(contentsOf:)`: RFC 4180 fields (quoted fields may hold
/// commas, doubled quotes and newlines), LF / CRLF / CR line ends, an optional UTF-8 byte-order
/// mark, a header row, blank lines skipped, `NA` and empty fields missing.
///
/// It works on the raw bytes in two passes: the first splits the text into field byte ranges
/// (row-major), the second types each column (numeric when every non-missing unquoted field parses
/// as a number, otherwise a factor) and converts it. Unquoted fields have surrounding spaces and
/// tabs removed.
enum CSVReader {
    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","),
                       newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r"),
                       space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
    /// Bit set in a field's stored end offset when the field was quoted.
    private static let quotedFlag = 1 << 62

    /// Field byte ranges of the whole file, row-major, plus each row's first line.
    private struct Fields {
        /// `ranges[2 * (row * columnCount + column)]` = start, `+ 1` = end (| quotedFlag).
        var ranges: [Int] = []
        var rowLines: [Int] = []
    }

    static func parse(_ allBytes: UnsafeBufferPointer<UInt8>, fileName: String) throws -> DataTable {
        var start = 0
        if allBytes.count >= 3, allBytes[0] == 0xEF, allBytes[1] == 0xBB, allBytes[2] == 0xBF { start = 3 }
        if allBytes.count >= 2, (allBytes[0] == 0xFF && allBytes[1] == 0xFE) || (allBytes[0] == 0xFE && allBytes[1] == 0xFF) {
            throw CSVError(fileName: fileName, message: "is UTF-16 encoded; save it as UTF-8 CSV")
        }
        let bytes = UnsafeBufferPointer(rebasing: allBytes[start...])
        try validateUTF8(bytes, fileName: fileName)

        // Header.
        var position = 0
        var line = 1
        var header: [(Int, Int)] = []
        var headerLine = 1
        var sawHeader = false
        while position < bytes.count {
            if skipBlankLine(bytes, &position, &line) { continue }
            headerLine = line
            var ranges: [Int] = []
            try readRow(bytes, &position, &line, into: &ranges, fileName: fileName)
            header = stride(from: 0, to: ranges.count, by: 2).map { (ranges[$0], ranges[$0 + 1]) }
            sawHeader = true
            break
        }
        guard sawHeader else { throw CSVError(fileName: fileName, message: "empty file (no header row)") }
        let headerTexts = header.map { text(bytes, $0.0, $0.1) }
        // Hashed, so a header of 100,000 names is checked in linear time (not pairwise).
        var names: [String] = []
        var positions: [String: Int] = [:]
        positions.reserveCapacity(headerTexts.count)
        let givenNames = Set(headerTexts)
        var nextUnnamed = 0
        for (index, headerText) in headerTexts.enumerated() {
            var name = headerText
            if name.isEmpty {
                // R's read.csv calls an unnamed column (write.csv's row names) "X", "X.1", ...
                repeat {
                    name = nextUnnamed == 0 ? "X" : "X.\(nextUnnamed)"
                    nextUnnamed += 1
                } while positions[name] != nil || givenNames.contains(name)
            }
            if let earlier = positions.updateValue(index, forKey: name) {
                throw CSVError(fileName: fileName, line: headerLine,
                               message: "duplicate column name '\(abbreviatedForMessage(name))' (columns \(earlier + 1) and \(index + 1))")
            }
            names.append(name)
        }
        let columnCount = names.count

        // Data rows.
        var fields = Fields()
        fields.ranges.reserveCapacity(max(16, bytes.count / 4))
        while position < bytes.count {
            if skipBlankLine(bytes, &position, &line) { continue }
            let rowLine = line
            let before = fields.ranges.count
            try readRow(bytes, &position, &line, into: &fields.ranges, fileName: fileName)
            let found = (fields.ranges.count - before) / 2
            if found != columnCount {
                throw CSVError(fileName: fileName, line: rowLine,
                               message: "row has \(found) field\(found == 1 ? "" : "s") but the header has \(columnCount) columns")
            }
            fields.rowLines.append(rowLine)
        }
        if fields.rowLines.isEmpty {
            throw CSVError(fileName: fileName, line: headerLine, message: "has a header row but no data rows")
        }

        var columns: [DataColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(try typedColumn(bytes, fields, column: column, columnCount: columnCount,
                                           fileName: fileName))
        }
        return DataTable(fileName: fileName, columnNames: names, columns: columns, sourceLines: fields.rowLines)
    }

    /// If the row at `position` is empty or only spaces/tabs, skips it and returns true.
    private static func skipBlankLine(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int, _ line: inout Int) -> Bool {
        var p = position
        while p < bytes.count, bytes[p] == space || bytes[p] == tab { p += 1 }
        if p == bytes.count { position = p; return true }
        if bytes[p] == newline { position = p + 1; line += 1; return true }
        if bytes[p] == carriageReturn {
            position = p + 1
            if position < bytes.count, bytes[position] == newline { position += 1 }
            line += 1
            return true
        }
        return false
    }

    /// Reads one row starting at `position`, appending (start, end) pairs; leaves `position` after
    /// the row's line end and `line` on the next row's line.
    private static func readRow(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int, _ line: inout Int,
                                into ranges: inout [Int], fileName: String) throws {
        let n = bytes.count
        var p = position
        while true {
            // Leading spaces of an unquoted or quoted field.
            var q = p
            while q < n, bytes[q] == space || bytes[q] == tab { q += 1 }
            if q < n, bytes[q] == quote {
                let openLine = line
                let contentStart = q + 1
                var r = contentStart
                var closed = false
                while r < n {
                    let b = bytes[r]
                    if b == quote {
                        if r + 1 < n, bytes[r + 1] == quote { r += 2; continue }
                        closed = true
                        break
                    }
                    if b == newline { line += 1 } else if b == carriageReturn, !(r + 1 < n && bytes[r + 1] == newline) { line += 1 }
                    r += 1
                }
                guard closed else {
                    throw CSVError(fileName: fileName, line: openLine, message: "unterminated quoted field (the quote opened on this line is never closed)")
                }
                ranges.append(contentStart)
                ranges.append(r | quotedFlag)
                p = r + 1
                while p < n, bytes[p] == space || bytes[p] == tab { p += 1 }
                if p < n, bytes[p] != comma, bytes[p] != newline, bytes[p] != carriageReturn {
                    throw CSVError(fileName: fileName, line: line,
                                   message: "unexpected character after a closing quote (a quote inside a quoted field must be doubled: \"\")")
                }
            } else {
                let fieldStart = p
                while p < n {
                    let b = bytes[p]
                    if b == comma || b == newline || b == carriageReturn { break }
                    p += 1
                }
                var s = fieldStart, e = p
                while s < e, bytes[s] == space || bytes[s] == tab { s += 1 }
                while e > s, bytes[e - 1] == space || bytes[e - 1] == tab { e -= 1 }
                ranges.append(s)
                ranges.append(e)
            }
            if p < n, bytes[p] == comma { p += 1; continue }
            // End of row.
            if p < n {
                if bytes[p] == carriageReturn, p + 1 < n, bytes[p + 1] == newline { p += 2 } else { p += 1 }
                line += 1
            }
            position = p
            return
        }
    }

    /// The text of a field (quotes removed, doubled quotes undoubled).
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ storedEnd: Int) -> String {
        let quoted = storedEnd & quotedFlag != 0
        let end = storedEnd & ~quotedFlag
        let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        if quoted, s.contains("\"\"") { return s.replacingOccurrences(of: "\"\"", with: "\"") }
        return s
    }

    /// Whether the field is `NA` or empty (quoted or not).
    @inline(__always)
    private static func isMissing(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let length = end - start
        return length == 0 || (length == 2 && bytes[start] == UInt8(ascii: "N") && bytes[start + 1] == UInt8(ascii: "A"))
    }

    private static func typedColumn(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: Fields, column: Int,
                                    columnCount: Int, fileName: String) throws -> DataColumn {
        let rows = fields.rowLines.count
        var values = [Double](repeating: .nan, count: rows)
        var numeric = true
        fields.ranges.withUnsafeBufferPointer { ranges in
            values.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    let k = 2 * (row * columnCount + column)
                    let start = ranges[k], storedEnd = ranges[k + 1]
                    let end = storedEnd & ~quotedFlag
                    if isMissing(bytes, start, end) { continue }
                    if storedEnd & quotedFlag != 0 { numeric = false; return }
                    guard let v = NumberParser.parse(bytes, start, end) else { numeric = false; return }
                    out[row] = v
                }
            }
        }
        if numeric { return .numeric(values) }

        var interner = LevelInterner(bytes: bytes)
        var codes = [Int32](repeating: -1, count: rows)
        var storedEnds: [Int] = []
        fields.ranges.withUnsafeBufferPointer { ranges in
            codes.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    let k = 2 * (row * columnCount + column)
                    let start = ranges[k], storedEnd = ranges[k + 1]
                    let end = storedEnd & ~quotedFlag
                    if isMissing(bytes, start, end) { continue }
                    let code = interner.code(start: start, end: end)
                    if Int(code) == storedEnds.count { storedEnds.append(storedEnd) }
                    out[row] = code
                }
            }
        }
        let labels = zip(interner.ranges, storedEnds).map { text(bytes, $0.0.start, $0.1) }
        return DataTable.sortedFactor(labels: labels, codes: codes)
    }

    /// Checks that the bytes are UTF-8; the error names the line of the first bad byte.
    private static func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>, fileName: String) throws {
        var any: UInt8 = 0
        for b in bytes { any |= b }
        if any < 0x80, !bytes.contains(0) { return }
        var i = 0
        let n = bytes.count
        func fail(_ at: Int, _ what: String) -> CSVError {
            var line = 1
            for j in 0..<at where bytes[j] == newline { line += 1 }
            return CSVError(fileName: fileName, line: line, message: what)
        }
        while i < n {
            let b = bytes[i]
            if b == 0 { throw fail(i, "contains a NUL byte: not a text CSV file") }
            if b < 0x80 { i += 1; continue }
            var need = 0
            var codePoint: UInt32 = 0
            var minimum: UInt32 = 0
            if b & 0xE0 == 0xC0 { need = 1; codePoint = UInt32(b & 0x1F); minimum = 0x80 }
            else if b & 0xF0 == 0xE0 { need = 2; codePoint = UInt32(b & 0x0F); minimum = 0x800 }
            else if b & 0xF8 == 0xF0 { need = 3; codePoint = UInt32(b & 0x07); minimum = 0x10000 }
            else { throw fail(i, "is not valid UTF-8 text (byte 0x\(String(b, radix: 16)))") }
            guard i + need < n else { throw fail(i, "is not valid UTF-8 text (truncated character)") }
            for k in 1...need {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { throw fail(i, "is not valid UTF-8 text (byte 0x\(String(b, radix: 16)))") }
                codePoint = codePoint << 6 | UInt32(c & 0x3F)
            }
            if codePoint < minimum || codePoint > 0x10FFFF || (0xD800...0xDFFF).contains(codePoint) {
                throw fail(i, "is not valid UTF-8 text")
            }
            i += need + 1
        }
    }
}

extension DataTable {
    /// A factor column from labels in first-appearance order and codes into them, codes remapped.
    /// Levels are sorted in R's order (`RCollation`), except that when every label is a number
    /// (`"1"`, `"10"`, `"2"` — what `write.csv` writes for a factor made from numbers) they are
    /// ordered by value, as R's `factor()` orders the numbers `read.csv` would have read.
    static func sortedFactor(labels: [String], codes: [Int32]) -> DataColumn {
        var order = RCollation.sortedIndices(labels)
        let numbers = labels.map { label -> Double? in
            var bytes = Array(label.utf8)
            return bytes.withUnsafeMutableBufferPointer { NumberParser.parse(UnsafeBufferPointer($0), 0, $0.count) }
        }
        if !labels.isEmpty, numbers.allSatisfy({ $0 != nil && !$0!.isNaN }) {
            let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
            order = labels.indices.sorted { (numbers[$0]!, rank[$0]!) < (numbers[$1]!, rank[$1]!) }
        }
        var newCode = [Int32](repeating: 0, count: labels.count)
        for (rank, old) in order.enumerated() { newCode[old] = Int32(rank) }
        let remapped = codes.map { $0 < 0 ? -1 : newCode[Int($0)] }
        return .factor(levels: order.map { labels[$0] }, codes: remapped)
    }
}
