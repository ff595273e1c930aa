import Foundation

/// Writes `text` to standard error (notices, warnings, progress) without a trailing newline.
func writeStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Writes `text` to standard output (results).
func writeStandardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// Whether standard error is a terminal (progress bars are drawn only then).
var standardErrorIsTerminal: Bool { isatty(2) != 0 }
