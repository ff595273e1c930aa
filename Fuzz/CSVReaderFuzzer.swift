import Foundation

/// libFuzzer entry point for the CSV reader (`CSVReader.parse`): any bytes must give a table or a
/// `CSVError`, never a trap. A table that parses is also run through the design builder with a
/// formula over its first columns, so typed columns, factors and missing values get exercised.
/// The bytes are also read as a `;`-separated file with decimal commas and as a tab-separated one.
@_cdecl("LLVMFuzzerTestOneInput")
public func csvReaderFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = try? CSVReader.parse(bytes, fileName: "fuzz.csv", options: CSVOptions(separator: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")))
    _ = try? CSVReader.parse(bytes, fileName: "fuzz.csv", options: CSVOptions(separator: UInt8(ascii: "\t")))
    guard let table = try? CSVReader.parse(bytes, fileName: "fuzz.csv") else { return 0 }
    let names = table.columnNames.map { "`\($0)`" }
    if names.count >= 3, let formula = try? Formula.parse("\(names[0]) ~ \(names[1]) + (1 | \(names[2]))") {
        _ = try? ModelDesign.build(formula: formula, table: table, factors: [])
    }
    return 0
}
