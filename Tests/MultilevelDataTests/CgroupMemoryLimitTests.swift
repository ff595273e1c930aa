import XCTest
@testable import MultilevelData

/// The cgroup memory limit is the tightest over the process's group and its ancestors, for v2,
/// the hybrid layout and v1, with `max` and v1's unlimited value meaning none — read from a
/// supplied file tree, as on a batch system that nests the job's group under a user slice.
final class CgroupMemoryLimitTests: XCTestCase {
    private func limit(_ cgroup: String, _ files: [String: String]) -> Double? {
        CgroupMemoryLimit.limit(procSelfCgroup: cgroup, root: "/cg") { files[$0] }
    }

    func testVersion2NestedGroupTakesTheTightestAncestor() {
        let files = ["/cg/memory.max": "max\n", "/cg/user.slice/memory.max": "8589934592\n",
                     "/cg/user.slice/job-7.scope/memory.max": "max\n"]
        XCTAssertEqual(limit("0::/user.slice/job-7.scope\n", files), 8_589_934_592)
        XCTAssertEqual(limit("0::/user.slice/job-7.scope\n",
                             files.merging(["/cg/user.slice/job-7.scope/memory.max": "1073741824"]) { $1 }), 1_073_741_824)
    }

    func testHybridLayoutReadsTheUnifiedMount() {
        XCTAssertEqual(limit("1:name=systemd:/\n0::/job\n", ["/cg/unified/job/memory.max": "536870912"]), 536_870_912)
    }

    func testVersion1MemoryControllerAndUnlimitedValue() {
        let cgroup = "9:name=systemd:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/\n0::/\n"
        XCTAssertNil(limit(cgroup, ["/cg/memory/memory.limit_in_bytes": "9223372036854771712",
                                    "/cg/memory/process_api/abc/memory.limit_in_bytes": "9223372036854771712"]))
        XCTAssertEqual(limit(cgroup, ["/cg/memory/process_api/memory.limit_in_bytes": "2147483648",
                                      "/cg/memory/process_api/abc/memory.limit_in_bytes": "9223372036854771712"]), 2_147_483_648)
        XCTAssertEqual(limit("5:cpuacct,memory:/x\n", ["/cg/memory/x/memory.limit_in_bytes": "4096"]), 4096)
    }

    func testNamespacedRootAndUnreadableFiles() {
        XCTAssertEqual(limit("0::/\n", ["/cg/memory.max": "268435456\n"]), 268_435_456)
        XCTAssertNil(limit("0::/\n", [:]))
        XCTAssertNil(limit("garbage\n", ["/cg/memory.max": "1"]))
        XCTAssertNil(limit("0::/\n", ["/cg/memory.max": "lots"]))
    }
}
