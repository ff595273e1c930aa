import Foundation

/// `swift run -c release multilevel-bench [--filter TEXT] [--list] [--markdown] [--suite]` runs every job (or
/// those whose name contains TEXT; `--job NAME` runs one in this process) in a
/// child process of its own (so peak memory is the job's alone) and prints one table: job, data
/// size, wall time, peak resident memory, the job's note, and the reference tool's time. `--suite`
/// runs the model suite (`SuiteBenchmarks`, not part of the default run) instead.
let allJobs: [BenchmarkJob] =
    DataBenchmarks.jobs + FrequentistBenchmarks.jobs + SamplingBenchmarks.jobs
    + DiagnosticsBenchmarks.jobs + ModelBenchmarks.jobs + WorkbenchBenchmarks.jobs + GibbsBenchmarks.jobs
    + FamilyBenchmarks.jobs + ScaleBenchmarks.jobs + AdaptationBenchmarks.jobs + TestingBenchmarks.jobs
    + CountFamilyBenchmarks.jobs + OrdinalFamilyBenchmarks.jobs + CrossValidationBenchmarks.jobs + PredictionBenchmarks.jobs

/// Peak resident set size of this process in bytes (Linux reports ru_maxrss in KiB).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
}

func runChild(_ name: String) -> Int32 {
    guard let job = (allJobs + SuiteBenchmarks.jobs).first(where: { $0.name == name }) else {
        FileHandle.standardError.write(Data("multilevel-bench: no job '\(name)'\n".utf8))
        return 2
    }
    do {
        let work = try job.prepare()
        let start = DispatchTime.now().uptimeNanoseconds
        let note = try work()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let line = "RESULT\t\(seconds)\t\(peakResidentBytes())\t\(note.replacingOccurrences(of: "\t", with: " "))\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        return 0
    } catch {
        FileHandle.standardError.write(Data("multilevel-bench: \(name): \(error)\n".utf8))
        return 1
    }
}

func formatSeconds(_ s: Double) -> String {
    s < 1 ? String(format: "%.1f ms", s * 1000) : String(format: "%.2f s", s)
}

func runAll(filter: String?, markdown: Bool, suite: Bool) -> Int32 {
    let jobs = (suite ? SuiteBenchmarks.jobs : allJobs).filter { filter == nil || $0.name.contains(filter!) }
    var rows: [[String]] = []
    var failed = false
    for job in jobs {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
        process.arguments = ["--job", job.name]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { failed = true; continue }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT\t") }) else {
            rows.append([job.name, job.dataSize, "failed", "", "", job.reference])
            failed = true
            continue
        }
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let seconds = Double(fields[1]) ?? .nan
        let megabytes = (Double(fields[2]) ?? .nan) / 1_048_576
        rows.append([job.name, job.dataSize, formatSeconds(seconds), String(format: "%.0f MB", megabytes),
                     fields.count > 3 ? fields[3] : "", job.reference])
        FileHandle.standardError.write(Data("done: \(job.name)\n".utf8))
    }
    let header = ["job", "data", "wall time", "peak memory", "note", "reference tool"]
    if markdown {
        print("| " + header.joined(separator: " | ") + " |")
        print("|" + header.map { _ in " --- " }.joined(separator: "|") + "|")
        for r in rows { print("| " + r.joined(separator: " | ") + " |") }
    } else {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        for r in [header] + rows {
            print(r.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  "))
        }
    }
    return failed ? 1 : 0
}

/// The arguments, checked: an unknown flag, or a flag without its value, is an error (exit 2)
/// instead of running every job.
func checkedArguments(_ arguments: [String]) -> [String]? {
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--job", "--filter":
            guard i + 1 < arguments.count else {
                FileHandle.standardError.write(Data("multilevel-bench: \(arguments[i]) needs a value\n".utf8))
                return nil
            }
            i += 2
        case "--list", "--markdown", "--suite":
            i += 1
        default:
            FileHandle.standardError.write(Data(("multilevel-bench: unknown argument '\(arguments[i])' "
                + "(usage: multilevel-bench [--filter TEXT] [--list] [--markdown] [--suite] | --job NAME)\n").utf8))
            return nil
        }
    }
    return arguments
}

guard let arguments = checkedArguments(Array(CommandLine.arguments.dropFirst())) else { exit(2) }
if let i = arguments.firstIndex(of: "--job"), i + 1 < arguments.count {
    exit(runChild(arguments[i + 1]))
} else if arguments.contains("--list") {
    for job in arguments.contains("--suite") ? SuiteBenchmarks.jobs : allJobs { print(job.name) }
} else {
    let filter = arguments.firstIndex(of: "--filter").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    exit(runAll(filter: filter, markdown: arguments.contains("--markdown"), suite: arguments.contains("--suite")))
}
