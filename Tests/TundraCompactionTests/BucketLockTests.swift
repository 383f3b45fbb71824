import Foundation
import Testing
import TundraCompaction
import TundraObjectStore
import TundraTestSupport

@Suite struct BucketLockTests {
    @Test(arguments: LockCheck.allCases) func filesystem(_ check: LockCheck) async throws {
        let dir = try TempDir("lock-fs")
        defer { dir.remove() }
        try await check.run(try TestStores.filesystem(dir))
    }

    /// All checks against one SeaweedFS: starting it costs seconds.
    @Test func seaweedFS() async throws {
        let weed = try await SeaweedFSProcess()
        defer { weed.stop() }
        let store = try TestStores.seaweed(weed)
        for check in LockCheck.allCases {
            do {
                try await check.run(store)
            } catch {
                Issue.record("\(check.rawValue): \(error)")
            }
        }
    }

    @Test func recordFormat() throws {
        let record = LockRecord(
            owner: "6F1C2A9E-0000-4000-8000-000000000001", hostname: "compactor-1", pid: 4242,
            acquired: Date(timeIntervalSince1970: 1_700_000_000), leaseExpires: Date(timeIntervalSince1970: 1_700_000_120))
        let text = String(decoding: try JSONEncoder.sorted.encode(record), as: UTF8.self)
        #expect(
            text == #"{"acquired_ms":1700000000000,"hostname":"compactor-1","lease_expires_ms":1700000120000,"#
                + #""owner":"6F1C2A9E-0000-4000-8000-000000000001","pid":4242,"renewed_ms":1700000000000,"version":1}"#)
    }

    @Test func processLiveness() throws {
        #expect(ProcessIdentity.isRunning(getpid()))
        #expect(!ProcessIdentity.isRunning(try LockCheck.exitedPID()))
        #expect(!ProcessIdentity.current.hostname.isEmpty)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
