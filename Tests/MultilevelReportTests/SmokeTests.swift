import XCTest
@testable import MultilevelReport

final class JSONValueTests: XCTestCase {
    func testSerialisesInInsertionOrderWithNullForNonFinite() {
        let value = JSONValue.object([
            ("b", .number(0.1)), ("a", .integer(180)), ("na", .number(.nan)),
            ("s", .string("q\"\n")), ("list", .array([.bool(true), .null])),
        ])
        XCTAssertEqual(value.serialized(pretty: false),
                       #"{"b":0.1,"a":180,"na":null,"s":"q\"\n","list":[true,null]}"#)
    }

    func testNumbersRoundTrip() throws {
        for x in [251.405104848485, 1e-300, -3.5e12, 0.1 + 0.2] {
            let text = JSONValue.number(x).serialized()
            XCTAssertEqual(Double(text), x, text)
        }
        XCTAssertEqual(JSONValue.number(1743.0).serialized(), "1743")
    }
}
