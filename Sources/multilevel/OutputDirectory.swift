import Foundation
import Multilevel

/// The `--output DIR` of a run, held exclusively while the run writes into it.
///
/// `init(checking:force:)` only checks the path (an existing directory needs `--force`, so earlier
/// results are never overwritten by accident; a file is refused). `create(chains:clearingAll:)`,
/// called when sampling is about to start, makes the directory with `mkdir(2)` — create-or-fail,
/// so of two runs started at once without `--force` exactly one gets it — and takes an exclusive
/// `flock(2)` on it, held until the process ends, so a second run into the same directory (with
/// `--force` or not) is refused instead of writing into the same files. With `--force` it then
/// removes the chain files of an earlier run (`chain-K.csv` and temporary `.chain-K.csv.partial`):
/// all of them, or only this run's own chain with `--chain-id`, so the directory never mixes
/// two runs' chains.
final class OutputDirectory: @unchecked Sendable {
    let url: URL
    let path: String
    let force: Bool
    /// Whether this run created the directory (only then may a failed run remove it).
    private(set) var created = false
    private var lockDescriptor: Int32 = -1

    init(checking path: String, force: Bool) throws {
        self.path = path
        self.force = force
        url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw UsageError("option --output: '\(path)' exists and is not a directory") }
            guard force else {
                throw UsageError("option --output: directory '\(path)' already exists; give --force to write into it")
            }
        }
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    /// Creates (or, with `--force`, takes over) the directory and locks it for this process.
    /// - Parameters:
    ///   - chains: this run's chains (0-based).
    ///   - clearingAll: remove every earlier chain file (a whole run), not only those of `chains`
    ///     (a `--chain-id` run, whose sibling chains may share the directory).
    func create(chains: Range<Int>, clearingAll: Bool) throws {
        if let code = makeDirectories(url.deletingLastPathComponent().path) {
            throw OutputError(path: path, code: code, action: "option --output: cannot create directory")
        }
        if mkdir(url.path, 0o777) == 0 {
            created = true
        } else {
            let code = errno
            guard code == EEXIST else { throw OutputError(path: path, code: code, action: "option --output: cannot create directory") }
            guard force else {
                throw UsageError("option --output: directory '\(path)' already exists (made by another run meanwhile); give --force to write into it")
            }
        }
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputError(path: path, code: errno, action: "option --output: cannot open directory") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw UsageError("option --output: directory '\(path)' is in use by another multilevel run; wait for it to end or choose another directory")
        }
        lockDescriptor = fd
        guard !created else { return }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
            guard let chain = Self.chainNumber(ofFile: name) else { continue }
            if clearingAll || chains.contains(chain - 1) {
                unlink(url.appendingPathComponent(name).path)
            }
        }
    }

    /// K for `chain-K.csv` or `.chain-K.csv.partial`, nil for any other name.
    static func chainNumber(ofFile name: String) -> Int? {
        var core = Substring(name)
        if core.hasPrefix("."), core.hasSuffix(".csv.partial") {
            core = core.dropFirst().dropLast(".partial".count)
        }
        guard core.hasPrefix("chain-"), core.hasSuffix(".csv") else { return nil }
        return Int(core.dropFirst("chain-".count).dropLast(".csv".count))
    }

    /// After a run that failed with an error (not a signal): removes the temporary files of the
    /// chains in `chains` (0-based) that hold no draw, keeps those that do (draws already written
    /// are never deleted; they stay under `.chain-K.csv.partial`), and removes the directory when
    /// this run created it and it is left empty — all only if this run held the directory's lock.
    /// Returns the kept files.
    @discardableResult
    func cleanUpAfterFailedRun(chains: Range<Int>, withDraws: Set<Int>) -> [String] {
        var kept: [String] = []
        // A run that never held the lock wrote nothing here: the files belong to another run.
        guard lockDescriptor >= 0 else { return kept }
        for chain in chains {
            let file = url.appendingPathComponent(".chain-\(chain + 1).csv.partial")
            if withDraws.contains(chain) {
                if FileManager.default.fileExists(atPath: file.path) { kept.append(file.path) }
            } else {
                unlink(file.path)
            }
        }
        if created, (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty == true {
            rmdir(url.path)
        }
        return kept
    }
}

/// Creates directory `path` and its missing parents (`mkdir -p`); returns the errno of a failure.
func makeDirectories(_ path: String) -> Int32? {
    if path.isEmpty || mkdir(path, 0o777) == 0 { return nil }
    switch errno {
    case EEXIST:
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR ? nil : ENOTDIR
    case ENOENT:
        let parent = (path as NSString).deletingLastPathComponent
        guard parent != path, !parent.isEmpty else { return ENOENT }
        if let code = makeDirectories(parent) { return code }
        return mkdir(path, 0o777) == 0 || errno == EEXIST ? nil : errno
    default:
        return errno
    }
}
