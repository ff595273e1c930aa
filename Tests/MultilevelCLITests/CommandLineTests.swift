import Foundation
import XCTest

/// Runs the built `multilevel` executable (next to the test bundle in the products directory).
enum CommandLineRunner {
    static func executable() throws -> URL {
        let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("multilevel")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("multilevel executable not built at \(url.path)")
        }
        return url
    }

    /// Runs `multilevel arguments...` in `directory`; returns the exit status, stdout and stderr.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self),
                String(decoding: errData, as: UTF8.self))
    }
}

final class CommandLineTests: XCTestCase {
    func testVersionAndHelp() throws {
        let version = try CommandLineRunner.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.out.hasPrefix("multilevel "))
        for command in ["describe", "fit", "lmer", "bootstrap", "compare", "diagnose"] {
            let help = try CommandLineRunner.run([command, "--help"])
            XCTAssertEqual(help.status, 0, command)
            XCTAssertTrue(help.out.hasPrefix("USAGE: multilevel \(command)"), help.out)
        }
    }

    func testUnknownSubcommandAndOptionSuggestTheNearestName() throws {
        let command = try CommandLineRunner.run(["fti"])
        XCTAssertEqual(command.status, 2)
        XCTAssertEqual(command.err, "multilevel: unknown subcommand 'fti'; did you mean 'fit'? (see 'multilevel --help')\n")
        let option = try CommandLineRunner.run(["fit", "--chians", "3"])
        XCTAssertEqual(option.status, 2)
        XCTAssertEqual(option.err, "multilevel fit: unknown option '--chians'; did you mean --chains?\n")
    }
}
