import Foundation

/// The memory limit the control groups of this process impose: the smallest `memory.max` (cgroup
/// v2) or `memory.limit_in_bytes` (cgroup v1) over the process's own group and every ancestor up
/// to the hierarchy's root, as the kernel enforces the tightest of them.
///
/// The groups come from `/proc/self/cgroup` (lines `hierarchy-ID:controllers:path`; v2's single
/// line is `0::path`, v1's memory line names `memory` among its controllers), the files from the
/// hierarchy's mount under `/sys/fs/cgroup` (v2 at the top or at `unified/` in the hybrid layout,
/// v1's memory controller at `memory/`). Inside a cgroup namespace the path is `/` and the files of
/// the mount's top are the container's own. `max` and v1's "unlimited" (about 2^63, rounded to
/// the page size) mean no limit.
public enum CgroupMemoryLimit {
    /// The limit in bytes, or nil when no group sets one (or the files cannot be read).
    /// - Parameters:
    ///   - procSelfCgroup: the text of `/proc/self/cgroup`.
    ///   - root: the mount point of the cgroup file systems (`/sys/fs/cgroup`).
    ///   - read: reads one file's text (injected so a test can supply a directory tree).
    public static func limit(procSelfCgroup: String, root: String = "/sys/fs/cgroup",
                             read: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }) -> Double? {
        var best: Double?
        func consider(directory: String, path: String, file: String) {
            var components = path.split(separator: "/").map(String.init)
            while true {
                let folder = ([directory] + components).joined(separator: "/")
                if let text = read(folder + "/" + file), let value = bytes(text), best.map({ value < $0 }) ?? true {
                    best = value
                }
                if components.isEmpty { break }
                components.removeLast()
            }
        }
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",")
            let path = String(fields[2])
            if fields[0] == "0" && controllers.isEmpty {
                consider(directory: root, path: path, file: "memory.max")
                consider(directory: root + "/unified", path: path, file: "memory.max")
            } else if controllers.contains("memory") {
                consider(directory: root + "/memory", path: path, file: "memory.limit_in_bytes")
            }
        }
        return best
    }

    /// The limit of the running process (nil when none is set or it cannot be read).
    public static func current() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        return limit(procSelfCgroup: text)
    }

    /// A file's byte count; nil for `max`, for v1's unlimited value (≥ 2^62) and for other text.
    static func bytes(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Double(trimmed), value > 0, value < 0x1p62 else { return nil }
        return value
    }
}
