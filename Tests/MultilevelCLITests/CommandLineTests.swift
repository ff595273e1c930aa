import Foundation
import XCTest

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
