import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelData

/// Random input must give a result or one of the data layer's errors — never a trap.
final class RobustnessTests: XCTestCase {
    func testRandomCSVTextNeverTraps() {
        var rng = Xoshiro256PlusPlus(seed: 11)
        let alphabet = Array("ab1.5e-\",\n\r NA\u{FEFF}é,,\"\"x".unicodeScalars)
        var parsed = 0
        for _ in 0..<3000 {
            let length = Int(rng.nextUniform() * 40)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet[Int(rng.nextUniform() * Double(alphabet.count))]) }
            do {
                let table = try DataTable(csv: text, fileName: "fuzz.csv")
                parsed += 1
                XCTAssertTrue(table.columns.allSatisfy { $0.count == table.rowCount })
            } catch is CSVError {
            } catch {
                XCTFail("unexpected error \(error) for \(text.debugDescription)")
            }
        }
        XCTAssertGreaterThan(parsed, 100)
    }

    func testRandomFormulasNeverTrap() throws {
        let table = try DataTable(csv: "y,x,z,f,g,n\n1,2,3,a,p,5\n2,3,1,b,q,5\n3,1,2,a,q,5\n4,5,1,b,p,5\n")
        var rng = Xoshiro256PlusPlus(seed: 12)
        let pieces = ["y", "x", "z", "f", "g", "n", "q", "~", "+", "-", "*", "/", ":", "^", "|", "||", "(", ")", ",",
                      "0", "1", "2", "log(", "I(", "factor(", "cbind(", "trials(", " ", "%in%", "."]
        var built = 0
        for _ in 0..<5000 {
            let count = 1 + Int(rng.nextUniform() * 14)
            let text = (0..<count).map { _ in pieces[Int(rng.nextUniform() * Double(pieces.count))] }.joined(separator: " ")
            let candidates = [text, "y ~ " + text]
            for candidate in candidates {
                do {
                    let formula = try Formula.parse(candidate)
                    let design = try ModelDesign.build(formula: formula, table: table)
                    built += 1
                    XCTAssertEqual(design.fixedEffects.rows, design.rowCount)
                } catch is FormulaError {
                } catch is DesignError {
                } catch {
                    XCTFail("unexpected error \(error) for \(candidate)")
                }
            }
        }
        XCTAssertGreaterThan(built, 50)
    }

    func testRandomModelFilesNeverTrap() {
        var rng = Xoshiro256PlusPlus(seed: 13)
        let pieces = ["data", "formula", "chains", "iter", "warmup", "seed", "adapt_delta", "prior", "factor", ":", " ",
                      "#", "\n", "4", "-1", "0.5", "x", "~", "1e9", "99999999999999999999"]
        for _ in 0..<3000 {
            let count = Int(rng.nextUniform() * 12)
            let text = (0..<count).map { _ in pieces[Int(rng.nextUniform() * Double(pieces.count))] }.joined()
            do {
                let s = try ModelSpecification.parse(text, fileName: "fuzz.model")
                try s.validate()
            } catch is ModelFileError {
            } catch {
                XCTFail("unexpected error \(error) for \(text.debugDescription)")
            }
        }
    }
}
