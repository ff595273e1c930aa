import XCTest
@testable import MultilevelData

/// Formula grammar: term expansion as R's `terms()` and errors with their column.
final class FormulaParserTests: XCTestCase {
    private func labels(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            let f = try Formula.parse(text)
            return (f.fixed.hasIntercept ? ["1"] : []) + f.fixed.terms.map(\.label)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return []
        }
    }

    private func random(_ text: String) throws -> [String] {
        try Formula.parse(text).randomTerms.map(\.text)
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> FormulaError? {
        expectError(FormulaError.self, file: file, line: line) { _ = try Formula.parse(text) }
    }

    // MARK: fixed-part expansion (each checked against R's attr(terms(f), "term.labels"))

    func testSimpleTerms() {
        XCTAssertEqual(labels("y ~ x"), ["1", "x"])
        XCTAssertEqual(labels("y ~ 1"), ["1"])
        XCTAssertEqual(labels("y ~ x + z"), ["1", "x", "z"])
        XCTAssertEqual(labels("y ~ x + x"), ["1", "x"])
    }

    func testInterceptRemoval() {
        XCTAssertEqual(labels("y ~ 0 + x"), ["x"])
        XCTAssertEqual(labels("y ~ x - 1"), ["x"])
        XCTAssertEqual(labels("y ~ -1 + x"), ["x"])
        XCTAssertEqual(labels("y ~ x + 0"), ["x"])
        XCTAssertEqual(labels("y ~ 0 + x + 1"), ["1", "x"])
    }

    func testCrossingAndInteraction() {
        XCTAssertEqual(labels("y ~ x * f"), ["1", "x", "f", "x:f"])
        XCTAssertEqual(labels("y ~ x:f"), ["1", "x:f"])
        XCTAssertEqual(labels("y ~ a * b * c"), ["1", "a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"])
        XCTAssertEqual(labels("y ~ x * f - f"), ["1", "x", "x:f"])
        XCTAssertEqual(labels("y ~ f:x + x"), ["1", "x", "f:x"])
    }

    func testTermsOrderedByDegree() {
        XCTAssertEqual(labels("y ~ a:b + c + a"), ["1", "c", "a", "a:b"])
    }

    func testNestingAndPower() {
        XCTAssertEqual(labels("y ~ a/b"), ["1", "a", "a:b"])
        XCTAssertEqual(labels("y ~ a/(b + c)"), ["1", "a", "a:b", "a:c"])
        XCTAssertEqual(labels("y ~ (a + b + c)^2"), ["1", "a", "b", "c", "a:b", "a:c", "b:c"])
        XCTAssertEqual(labels("y ~ b %in% a"), ["1", "b:a"])
    }

    func testFunctionsAndArithmetic() {
        XCTAssertEqual(labels("y ~ log(x) + exp(z) + sqrt(w)"), ["1", "log(x)", "exp(z)", "sqrt(w)"])
        XCTAssertEqual(labels("y ~ x + I(x^2)"), ["1", "x", "I(x^2)"])
        XCTAssertEqual(labels("y ~ I(x-3)"), ["1", "I(x - 3)"])
        XCTAssertEqual(labels("y ~ factor(k) * x"), ["1", "factor(k)", "x", "factor(k):x"])
        XCTAssertEqual(labels("y ~ log(x + 1)"), ["1", "log(x + 1)"])
        XCTAssertEqual(labels("y ~ I(2 * x / 3)"), ["1", "I(2 * x/3)"])
    }

    func testBacktickNames() {
        XCTAssertEqual(labels("y ~ `odd name`"), ["1", "odd name"])
    }

    // MARK: random terms

    func testRandomTerms() throws {
        let f = try Formula.parse("Reaction ~ Days + (Days | Subject)")
        XCTAssertEqual(f.fixed.terms.map(\.label), ["Days"])
        XCTAssertEqual(f.randomTerms.count, 1)
        XCTAssertEqual(f.randomTerms[0].text, "(Days | Subject)")
        XCTAssertEqual(f.randomTerms[0].groupingName, "Subject")
        XCTAssertTrue(f.randomTerms[0].effects.hasIntercept)
        XCTAssertTrue(f.randomTerms[0].correlated)
    }

    func testRandomWithoutIntercept() throws {
        let f = try Formula.parse("y ~ x + (0 + x | g)")
        XCTAssertFalse(f.randomTerms[0].effects.hasIntercept)
        XCTAssertEqual(f.randomTerms[0].effects.terms.map(\.label), ["x"])
    }

    func testDoubleBar() throws {
        let f = try Formula.parse("y ~ x + (x || g)")
        XCTAssertFalse(f.randomTerms[0].correlated)
        XCTAssertEqual(f.randomTerms[0].text, "(x || g)")
    }

    func testNestedGrouping() throws {
        XCTAssertEqual(try random("y ~ 1 + (1 | a/b)"), ["(1 | a)", "(1 | a:b)"])
        XCTAssertEqual(try random("y ~ 1 + (1 | a/b/c)"), ["(1 | a)", "(1 | a:b)", "(1 | a:b:c)"])
        XCTAssertEqual(try Formula.parse("y ~ (1 | a/b)").randomTerms[1].groupingVariables, ["a", "b"])
    }

    func testInteractionGroupingAndSeveralFactors() throws {
        XCTAssertEqual(try random("y ~ x + (1 | a:b) + (x | c) + (1 | d)"), ["(1 | a:b)", "(x | c)", "(1 | d)"])
    }

    func testRandomTermsDoNotEnterFixedPart() {
        XCTAssertEqual(labels("y ~ (1 | g)"), ["1"])
        XCTAssertEqual(labels("y ~ 0 + (1 | g) + x"), ["x"])
    }

    // MARK: responses

    func testResponses() throws {
        XCTAssertEqual(try Formula.parse("y ~ x").response, .single(FormulaVariable(node: .name("y", column: 1))))
        guard case .trials(let v, let n) = try Formula.parse("incidence | trials(size) ~ period + (1 | herd)").response else {
            return XCTFail("expected trials")
        }
        XCTAssertEqual(v.label, "incidence")
        XCTAssertEqual(n.deparsed, "size")
        guard case .cbind(let s, let failures) = try Formula.parse("cbind(s, n - s) ~ x").response else {
            return XCTFail("expected cbind")
        }
        XCTAssertEqual(s.label, "s")
        XCTAssertEqual(failures.deparsed, "n - s")
        guard case .cbind(_, let f2) = try Formula.parse("cbind(incidence, fail) ~ 1").response else { return XCTFail() }
        XCTAssertEqual(f2.deparsed, "fail")
        XCTAssertEqual(try Formula.parse("log(y) ~ x").response.variable.label, "log(y)")
        guard case .trials(_, let ten) = try Formula.parse("y | trials(10) ~ x").response else { return XCTFail() }
        XCTAssertEqual(ten.deparsed, "10")
    }

    func testReferencedColumns() throws {
        let f = try Formula.parse("cbind(s, n - s) ~ log(x) + (z | a/b)")
        XCTAssertEqual(f.referencedColumns.map(\.name), ["s", "n", "x", "z", "a", "b"])
        XCTAssertEqual(f.referencedColumns.map(\.column), [7, 10, 23, 29, 33, 35])
    }

    // MARK: errors, with message and column

    func testUnclosedParenthesis() {
        let e = error("Reaction ~ Days + (Days | Subject")
        XCTAssertEqual(e?.description, "formula error at column 34: expected ')' to close '(' opened at column 19")
        let e2 = error("y ~ log(x + 1")
        XCTAssertEqual(e2?.description, "formula error at column 14: expected ')' to close '(' opened at column 8")
    }

    func testIssueExample() {
        // The '|' is missing: 'Subject' (column 26) cannot continue the group opened at 19.
        let e = error("Reaction ~ Days + (Days  Subject)")
        XCTAssertEqual(e?.column, 26)
        XCTAssertEqual(e?.message, "expected ')' to close '(' opened at column 19, found 'Subject'")
    }

    func testEmptyFormula() {
        XCTAssertEqual(error("")?.description, "formula error: empty formula")
        XCTAssertEqual(error("   ")?.description, "formula error: empty formula")
    }

    func testMissingTilde() {
        XCTAssertEqual(error("y + x")?.description, "formula error at column 6: expected '~' between the response and the predictors")
        XCTAssertEqual(error("~ x")?.column, 1)
        XCTAssertEqual(error("y ~")?.message, "expected predictors after '~' (use 1 for an intercept only)")
        XCTAssertEqual(error("y ~ x ~ z")?.column, 7)
    }

    func testBareBarOutsideParentheses() {
        let e = error("y ~ x | g")
        XCTAssertEqual(e?.column, 7)
        XCTAssertEqual(e?.message, "'|' outside parentheses: write random terms as (x | g)")
        XCTAssertEqual(error("y ~ x || g")?.column, 7)
    }

    func testResponseInRandomTerm() {
        let e = error("Reaction ~ Days + (Reaction | Subject)")
        XCTAssertEqual(e?.description, "formula error at column 20: the response 'Reaction' cannot appear in a random term")
        XCTAssertEqual(error("y ~ x + (1 | y)")?.column, 14)
        XCTAssertEqual(error("y ~ x + log(y)")?.message, "the response 'y' cannot also be a predictor")
    }

    func testUnknownFunction() {
        let e = error("y ~ lgo(x)")
        XCTAssertEqual(e?.column, 5)
        XCTAssertEqual(e?.message, "unknown function 'lgo'; did you mean log, log2?")
        XCTAssertTrue(error("y ~ spline(x, 2)")?.message.hasPrefix("unknown function 'spline'") ?? false)
    }

    func testFunctionArity() {
        XCTAssertEqual(error("y ~ log(x, z)")?.message, "log() takes one argument, got 2")
        XCTAssertEqual(error("cbind(s) ~ x")?.column, 1)
        XCTAssertEqual(error("y | trials() ~ x")?.message, "trials() takes one argument, a column or a number")
    }

    func testBadAddition() {
        XCTAssertEqual(error("y | mi() ~ x")?.message, "unsupported addition term 'mi()': supported are trials(), se(), cens(), weights() and trunc()")
        XCTAssertEqual(error("y | n ~ x")?.column, 5)
        XCTAssertEqual(error("y | se(s, sigma = maybe) ~ x")?.message, "se(): 'sigma' must be TRUE or FALSE")
        XCTAssertEqual(error("y | cens(c, y2, z) ~ x")?.column, 5)
        XCTAssertEqual(error("y | trunc() ~ x")?.message, "trunc() needs a bound: trunc(lb = 0), trunc(ub = 10) or trunc(lb = 0, ub = 10)")
        XCTAssertEqual(error("y | trunc(lb = 0, lower = 1) ~ x")?.message, "trunc(): unknown argument 'lower' (known: lb, ub)")
        XCTAssertEqual(error("y | weights(w) + weights(v) ~ x")?.message, "weights() is given twice")
        XCTAssertEqual(error("y | se(s) + cens(c) ~ x")?.column, 5)
    }

    func testUnexpectedTokens() {
        XCTAssertEqual(error("y ~ x +")?.description, "formula error at column 8: unexpected end of formula: expected a variable, number or '('")
        XCTAssertEqual(error("y ~ x + + ")?.column, 11)
        XCTAssertEqual(error("y ~ x )")?.message, "')' without a matching '('")
        XCTAssertEqual(error("y ~ x z")?.message, "expected an operator (+, -, *, :, /) before 'z'")
        XCTAssertEqual(error("y ~ x @ z")?.description, "formula error at column 7: unexpected character '@'")
        XCTAssertEqual(error("y ~ ()")?.column, 6)
    }

    func testNumbersOnlySetIntercept() {
        XCTAssertEqual(error("y ~ x + 2")?.column, 9)
        XCTAssertEqual(error("y ~ 2:x")?.column, 5)
    }

    func testRandomTermMisuse() {
        XCTAssertEqual(error("y ~ x:(1 | g)")?.message, "a random term (x | g) cannot be part of an interaction")
        XCTAssertEqual(error("y ~ (1 | )")?.column, 10)
        XCTAssertEqual(error("y ~ (1 | g + h)")?.message, "expected a grouping factor after '|': a column name, a:b (interaction) or a/b (nesting)")
        XCTAssertEqual(error("y ~ ((1 | g) | h)")?.column, 6)
        XCTAssertEqual(error("y ~ log((1 | g))")?.message, "a random term (x | g) cannot be inside a function")
    }

    func testDotAndCbindOnRight() {
        XCTAssertEqual(error("y ~ .")?.column, 5)
        XCTAssertEqual(error("y ~ cbind(a, b)")?.message, "cbind() can only be the response (left of '~')")
    }

    func testPowerNeedsWholeNumber() {
        XCTAssertEqual(error("y ~ x^z")?.column, 7)
        XCTAssertEqual(error("y ~ (a + b)^0")?.column, 13)
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = "y ~ " + String(repeating: "(", count: 1000) + "x" + String(repeating: ")", count: 1000)
        XCTAssertEqual(error(deep)?.message, "formula nested too deeply")
    }

    func testLongFormulasAreBounded() throws {
        let names = (0..<1900).map { "x\($0)" }
        let long = "y ~ " + names.joined(separator: " + ") + " + (" + names.prefix(50).joined(separator: " + ") + " | g)"
        XCTAssertEqual(try Formula.parse(long).fixed.terms.count, 1900)
        let tooLong = "y ~ " + (0..<3000).map { "x\($0)" }.joined(separator: " + ")
        XCTAssertEqual(error(tooLong)?.message, "formula too long (more than 4000 symbols)")
    }

    func testUnicodeNames() {
        XCTAssertEqual(labels("größe ~ alter + (1 | ort)"), ["1", "alter"])
    }

    func testUnterminatedBacktick() {
        XCTAssertEqual(error("y ~ `x")?.column, 5)
    }
}
