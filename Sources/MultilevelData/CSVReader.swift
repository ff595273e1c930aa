import Foundation

/// The CSV parser behind `DataTable.read(contentsOf:)`: RFC 4180 fields (quoted fields may hold
/// commas, doubled quotes and newlines), LF / CRLF / CR line ends, an optional UTF-8 byte-order
/// mark, a header row, blank lines skipped, `NA` and empty fields missing.
///
/// It works on the raw bytes in two passes: the first splits the text into field byte ranges
/// (row-major), the second types each column (numeric when every non-missing unquoted field parses
/// as a number, otherwise a factor) and converts it. Unquoted fields have surrounding spaces (and
/// tabs, unless tab is the separator) removed.
///
/// The separator is `,`, `;` (Excel's European CSV, whose decimal mark is then `,`) or a tab,
/// detected from the header line (the most frequent of the three outside quotes) unless
/// `CSVOptions` sets it. In a file whose every non-missing field is quoted (Python's
/// `csv.QUOTE_ALL`), quotes carry no type and columns are typed from their values. A column whose
/// unquoted values are numbers but for a few (at most one in ten) is a factor, with a notice
/// naming the first such value and its line (`DataTable.typeNotices`).
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

    static func parse(_ allBytes: UnsafeBufferPointer<UInt8>, fileName: String, options: CSVOptions = CSVOptions()) throws -> DataTable {
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
        let separator = options.separator ?? detectSeparator(bytes)
        let format = Format(separator: separator,
                            decimal: options.decimal ?? (separator == UInt8(ascii: ";") ? comma : UInt8(ascii: ".")))
        var header: [(Int, Int)] = []
        var headerLine = 1
        var sawHeader = false
        while position < bytes.count {
            if skipBlankLine(bytes, &position, &line, format) { continue }
            headerLine = line
            var ranges: [Int] = []
            try readRow(bytes, &position, &line, into: &ranges, fileName: fileName, format)
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
            if skipBlankLine(bytes, &position, &line, format) { continue }
            let rowLine = line
            let before = fields.ranges.count
            try readRow(bytes, &position, &line, into: &fields.ranges, fileName: fileName, format)
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

        let allQuoted = everyFieldQuoted(bytes, fields)
        var columns: [DataColumn] = []
        var notices: [String: String] = [:]
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            let (typed, notice) = typedColumn(bytes, fields, column: column, columnCount: columnCount,
                                              decimal: format.decimal, quotesCarryType: !allQuoted)
            columns.append(typed)
            if let notice { notices[names[column]] = "\(fileName): column '\(names[column])' is read as a factor: \(notice)" }
        }
        var table = DataTable(fileName: fileName, columnNames: names, columns: columns, sourceLines: fields.rowLines)
        table.typeNotices = notices
        return table
    }

    /// Separator and decimal mark in use.
    private struct Format {
        var separator: UInt8
        var decimal: UInt8
        /// Whether a tab is blank space around a field (not when it separates fields).
        var tabIsSpace: Bool { separator != tab }
    }

    /// The separator of the header line: the most frequent of `,`, `;` and tab outside quotes
    /// (`,` on ties and when there is none).
    private static func detectSeparator(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var counts = [comma: 0, UInt8(ascii: ";"): 0, tab: 0]
        var inQuotes = false
        for b in bytes {
            if b == quote { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if b == newline || b == carriageReturn {
                if counts.values.contains(where: { $0 > 0 }) { break }
                continue
            }
            if counts[b] != nil { counts[b]! += 1 }
        }
        let best = [comma, UInt8(ascii: ";"), tab].max { counts[$0]! < counts[$1]! }!
        return counts[best]! > counts[comma]! ? best : comma
    }

    /// Whether no data field is an unquoted, non-missing value (a `QUOTE_ALL` file).
    private static func everyFieldQuoted(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: Fields) -> Bool {
        var k = 0
        while k < fields.ranges.count {
            let start = fields.ranges[k], storedEnd = fields.ranges[k + 1]
            if storedEnd & quotedFlag == 0, !isMissing(bytes, start, storedEnd) { return false }
            k += 2
        }
        return true
    }

    /// If the row at `position` is empty or only spaces/tabs, skips it and returns true.
    private static func skipBlankLine(_ bytes: UnsafeBufferPointer<UInt8>, _ position: inout Int, _ line: inout Int,
                                      _ format: Format) -> Bool {
        var p = position
        while p < bytes.count, bytes[p] == space || (bytes[p] == tab && format.tabIsSpace) { p += 1 }
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
                                into ranges: inout [Int], fileName: String, _ format: Format) throws {
        let n = bytes.count
        let separator = format.separator, tabIsSpace = format.tabIsSpace
        var p = position
        while true {
            // Leading spaces of an unquoted or quoted field.
            var q = p
            while q < n, bytes[q] == space || (bytes[q] == tab && tabIsSpace) { q += 1 }
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
                while p < n, bytes[p] == space || (bytes[p] == tab && tabIsSpace) { p += 1 }
                if p < n, bytes[p] != separator, bytes[p] != newline, bytes[p] != carriageReturn {
                    throw CSVError(fileName: fileName, line: line,
                                   message: "unexpected character after a closing quote (a quote inside a quoted field must be doubled: \"\")")
                }
            } else {
                let fieldStart = p
                while p < n {
                    let b = bytes[p]
                    if b == separator || b == newline || b == carriageReturn { break }
                    p += 1
                }
                var s = fieldStart, e = p
                while s < e, bytes[s] == space || (bytes[s] == tab && tabIsSpace) { s += 1 }
                while e > s, bytes[e - 1] == space || (bytes[e - 1] == tab && tabIsSpace) { e -= 1 }
                ranges.append(s)
                ranges.append(e)
            }
            if p < n, bytes[p] == separator { p += 1; continue }
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

    /// The typed column, and for a column that is numbers but for a few values, the notice that
    /// names the first of those values and its line.
    private static func typedColumn(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: Fields, column: Int,
                                    columnCount: Int, decimal: UInt8, quotesCarryType: Bool) -> (DataColumn, String?) {
        let rows = fields.rowLines.count
        var values = [Double](repeating: .nan, count: rows)
        var numeric = true
        var failedRow = -1
        fields.ranges.withUnsafeBufferPointer { ranges in
            values.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    let k = 2 * (row * columnCount + column)
                    let start = ranges[k], storedEnd = ranges[k + 1]
                    let end = storedEnd & ~quotedFlag
                    if isMissing(bytes, start, end) { continue }
                    if quotesCarryType, storedEnd & quotedFlag != 0 { numeric = false; return }
                    guard let v = NumberParser.parse(bytes, start, end, decimal: decimal) else {
                        numeric = false; failedRow = row; return
                    }
                    out[row] = v
                }
            }
        }
        if numeric { return (.numeric(values), nil) }
        let notice = failedRow >= 0 ? mostlyNumericNotice(bytes, fields, column: column, columnCount: columnCount,
                                                          decimal: decimal, firstFailure: failedRow,
                                                          quotesCarryType: quotesCarryType) : nil

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
        return (DataTable.sortedFactor(labels: labels, codes: codes), notice)
    }

    /// When at most one in ten of the column's non-missing values is not a number (and none is
    /// quoted where quotes carry type), a notice such as `'l0' on line 12 (and 1 more value that
    /// is not a number) among 180 numbers`; nil otherwise.
    private static func mostlyNumericNotice(_ bytes: UnsafeBufferPointer<UInt8>, _ fields: Fields, column: Int,
                                            columnCount: Int, decimal: UInt8, firstFailure: Int,
                                            quotesCarryType: Bool) -> String? {
        var numbers = 0, others = 0
        for row in 0..<fields.rowLines.count {
            let k = 2 * (row * columnCount + column)
            let start = fields.ranges[k], storedEnd = fields.ranges[k + 1]
            let end = storedEnd & ~quotedFlag
            if isMissing(bytes, start, end) { continue }
            if quotesCarryType, storedEnd & quotedFlag != 0 { return nil }
            if NumberParser.parse(bytes, start, end, decimal: decimal) != nil { numbers += 1 } else { others += 1 }
        }
        guard numbers >= 9 * others else { return nil }
        let k = 2 * (firstFailure * columnCount + column)
        let value = text(bytes, fields.ranges[k], fields.ranges[k + 1])
        let more = others > 1 ? " (and \(others - 1) more value\(others == 2 ? "" : "s") that \(others == 2 ? "is" : "are") not a number)" : ""
        return "'\(abbreviatedForMessage(value))' on line \(fields.rowLines[firstFailure]) is not a number\(more), the other \(numbers) values are; if the column is meant to be numeric, correct that value"
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
