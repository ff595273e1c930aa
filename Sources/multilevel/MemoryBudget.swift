import Foundation

/// Refuses, before any work, a run whose kept results could not fit in this machine's memory
/// (`--iter 1000000000`, `--replicates 1000000000`): without it the allocation fails deep inside
/// the run with a runtime trap instead of a message naming the options to change.
/// - Parameters:
///   - values: how many `Double`s the run keeps (draws × columns, replicates × parameters).
///   - what: the options that set that number, e.g. "--iter 1000000000 × --chains 4".
func requireMemoryBudget(values: Double, for what: String) throws {
    let bytes = values * Double(MemoryLayout<Double>.size)
    let available = Double(ProcessInfo.processInfo.physicalMemory)
    guard bytes.isFinite, bytes <= available / 2 else {
        throw UsageError("\(what) would keep \(formatBytes(bytes)) of results, more than half of this machine's \(formatBytes(available)) of memory; ask for fewer")
    }
}

/// A byte count with a binary unit (`1.5 GiB`).
private func formatBytes(_ bytes: Double) -> String {
    guard bytes.isFinite else { return "an unbounded amount" }
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = bytes, unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
}
