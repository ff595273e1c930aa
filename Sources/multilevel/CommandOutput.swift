import Foundation
import Multilevel

/// The one output layer of every subcommand: results on standard output, notices on standard
/// error, files written whole or not at all.
///
/// - Standard output and standard error are written with `write(2)` (never Foundation's
///   `FileHandle.write`, which traps on an error). SIGPIPE is ignored (`installOutputSignalPolicy`),
///   so a closed pipe is the error EPIPE: the process then exits 141 (128 + SIGPIPE, what a shell
///   reports for a pipeline's killed writer) without a message, as `head` expects. Any other write
///   error on standard output (ENOSPC on a full disk, EIO, EFBIG) prints one line naming the cause
///   and exits 1. A failed write to standard error is ignored (there is nowhere to report it).
/// - Files are written to a temporary name in their directory (`.NAME.PID.partial`, created
///   exclusively) and renamed over the final name only when complete (`writeFileAtomically`), so a
///   full disk or a kill never leaves a truncated file under a final name.
/// - Commands write their files before their results on standard output, so a reader that closes
///   the pipe early (`| head -1`) cannot stop the files from being written.
enum CommandOutput {
    /// Ignores SIGPIPE and SIGXFSZ so that writes to a closed pipe or beyond a file size limit fail
    /// with EPIPE or EFBIG instead of killing the process mid-file. Called once at start-up.
    static func installOutputSignalPolicy() {
        signal(SIGPIPE, SIG_IGN)
        // Likewise a file size limit (`ulimit -f`): EFBIG, reported like a full disk.
        signal(SIGXFSZ, SIG_IGN)
    }

    /// Exit status after standard output turned out to be a closed pipe.
    static let brokenPipeStatus: Int32 = 128 + SIGPIPE
}

/// The C library's text for `code` (`No space left on device`).
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// Writes `text` to standard error (notices, warnings, progress) without a trailing newline; a
/// failed write is ignored.
func writeStandardError(_ text: String) {
    var text = text
    _ = text.withUTF8 { writeAllBytes(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}

/// Writes `text` to standard output (results). A closed pipe ends the process silently with
/// status 141; any other failure (a full disk, an I/O error) with one line on standard error and
/// status 1. Callers write their files first, so nothing remains to be done when this fails.
func writeStandardOutput(_ text: String) {
    var text = text
    guard let code = text.withUTF8({ writeAllBytes(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }) else { return }
    if code == EPIPE { exit(CommandOutput.brokenPipeStatus) }
    writeStandardError("multilevel: cannot write the results to standard output: \(errnoDescription(code))\n")
    exit(1)
}

/// Whether standard error is a terminal (progress bars are drawn only then).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }

/// A file or stream that could not be written; the description is one line naming it and the
/// system's cause (exit 1).
struct OutputError: Error, CustomStringConvertible {
    let description: String

    init(path: String, code: Int32, action: String = "cannot write") {
        description = "\(action) '\(path)': \(errnoDescription(code))"
    }
}

/// Writes `data` to `url` whole or not at all: into `.NAME.PID.partial` beside it (created with
/// O_EXCL, so two processes never share a temporary file), flushed to the device with `fsync`,
/// then renamed over `url`. On any failure the temporary file is removed, `url` keeps what it held
/// before, and an `OutputError` names the file and the cause (ENOSPC: "No space left on device").
func writeFileAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw OutputError(path: url.path, code: errno) }
    var failure = data.withUnsafeBytes { writeAllBytes(fd, $0) }
    if failure == nil, fsync(fd) != 0, errno != EINVAL { failure = errno }
    if close(fd) != 0, failure == nil { failure = errno }
    if failure == nil, rename(temporary.path, url.path) != 0 { failure = errno }
    if let failure {
        unlink(temporary.path)
        throw OutputError(path: url.path, code: failure)
    }
}

/// `text` as one safe line of a message: control characters (ESC, BEL, NUL, newlines, C1 codes)
/// shown as escapes (`\u{1B}`), every quoted piece of input (`'…'`) cut to `quotedLimit`
/// characters with an ellipsis, and the whole cut to `totalLimit` characters, so that hostile input
/// can neither drive the terminal nor turn a message into megabytes.
func messageLine(_ text: String, quotedLimit: Int = 200, totalLimit: Int = 1000) -> String {
    var result = ""
    var quoted = false, quotedLength = 0, total = 0
    for scalar in text.unicodeScalars {
        if total >= totalLimit { result += "…"; break }
        if scalar == "'" {
            quoted.toggle()
            quotedLength = 0
        } else if quoted {
            quotedLength += 1
            if quotedLength == quotedLimit + 1 { result += "…" }
            if quotedLength > quotedLimit { continue }
        }
        let value = scalar.value
        if value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) {
            switch scalar {
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default: result += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
            }
        } else {
            result.unicodeScalars.append(scalar)
        }
        total += 1
    }
    return result
}

/// Prints the one-line error of `command` (`multilevel fit: …`) on standard error, made safe by
/// `messageLine`.
func reportError(_ message: String, command: String?) {
    let prefix = command.map { "multilevel \($0): " } ?? "multilevel: "
    writeStandardError(prefix + messageLine(message) + "\n")
}
