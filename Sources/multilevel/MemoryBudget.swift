import Foundation
import MultilevelData

/// Refuses, before any work, a run whose memory could not fit in what this process may use
/// (`--iter 1000000000`, `--replicates 1000000000`, a million-row fit under `ulimit -v`): without
/// it the allocation fails deep inside the run with a runtime trap instead of a message naming
/// the options to change.
/// - Parameters:
///   - values: how many `Double`s the run keeps (draws × columns, replicates × parameters, the
///     design and the chains' working vectors).
///   - what: the options that set that number, e.g. "--iter 1000000000 × --chains 4".
///   - limit: the memory this process may use (`MemoryLimit.current()`).
func requireMemoryBudget(values: Double, for what: String, limit: MemoryLimit = .current()) throws {
    let bytes = values * Double(MemoryLayout<Double>.size)
    guard bytes.isFinite, bytes <= limit.bytes / 2 else {
        throw UsageError("\(what) would need \(formatBytes(bytes)) of memory, more than half of the \(formatBytes(limit.bytes)) this process may use (\(limit.source)); ask for fewer")
    }
}

/// The memory this process may use: the smallest of the machine's physical memory, the address
/// space and data segment limits (`ulimit -v`, `ulimit -d`: RLIMIT_AS, RLIMIT_DATA) and the
/// cgroup's memory limit (`CgroupMemoryLimit`: `memory.max` of cgroup v2, `memory.limit_in_bytes` of
/// v1, over the process's group and its ancestors), as a
/// container or batch system sets it. The address-space limit is counted at half its value: the
/// runtime, the thread stacks and the allocator's per-thread arenas reserve address space beyond
/// the bytes a run uses.
struct MemoryLimit {
    var bytes: Double
    /// What sets it, for the message (`this machine's memory`, `ulimit -v`, …).
    var source: String

    static func current() -> MemoryLimit {
        var best = MemoryLimit(bytes: Double(ProcessInfo.processInfo.physicalMemory), source: "this machine's memory")
        func consider(_ bytes: Double?, _ source: String) {
            if let bytes, bytes > 0, bytes < best.bytes { best = MemoryLimit(bytes: bytes, source: source) }
        }
        var limit = rlimit()
        #if os(Linux)
        let addressSpace = __rlimit_resource_t(RLIMIT_AS.rawValue), data = __rlimit_resource_t(RLIMIT_DATA.rawValue)
        #else
        let addressSpace = RLIMIT_AS, data = RLIMIT_DATA
        #endif
        // RLIM_INFINITY is all ones.
        if getrlimit(addressSpace, &limit) == 0, limit.rlim_cur != rlim_t.max {
            consider(Double(limit.rlim_cur) / 2, "half the address-space limit, ulimit -v")
        }
        if getrlimit(data, &limit) == 0, limit.rlim_cur != rlim_t.max {
            consider(Double(limit.rlim_cur), "the data-segment limit, ulimit -d")
        }
        consider(CgroupMemoryLimit.current(), "the cgroup's memory limit")
        return best
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
