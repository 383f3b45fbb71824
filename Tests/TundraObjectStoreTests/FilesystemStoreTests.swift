import Foundation
import Testing
import TundraObjectStore
import TundraTestSupport

@Suite struct FilesystemStoreTests {
    @Test(arguments: ConformanceCheck.allCases)
    func conformance(_ check: ConformanceCheck) async throws {
        let dir = try TempDir("objstore-fs")
        defer { dir.remove() }
        let store = try FilesystemStore(directory: dir.path + "/bucket")
        try await check.run(store, scratch: dir)
    }

    @Test func objectsAreFilesAndTemporaryFilesNeverShow() async throws {
        let dir = try TempDir("objstore-fs")
        defer { dir.remove() }
        let store = try FilesystemStore(directory: dir.path + "/bucket/")
        try await store.put("blocks/01/meta.json", bytes: Array("{}".utf8))
        #expect(FileManager.default.contents(atPath: dir.path + "/bucket/blocks/01/meta.json") == Data("{}".utf8))
        // A writer that crashed mid-write leaves its temporary file behind.
        _ = FileManager.default.createFile(atPath: dir.path + "/bucket/blocks/01/.tundra-tmp-crashed", contents: Data([1]))
        #expect(try await store.list(prefix: "").keys == ["blocks/01/meta.json"])
        #expect(try await store.list(prefix: "blocks/01/", delimiter: "/").keys == ["blocks/01/meta.json"])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/bucket/blocks/01")
        #expect(left.sorted() == [".tundra-tmp-crashed", "meta.json"])
    }

    @Test func deleteRemovesEmptiedFoldersButNotTheBucket() async throws {
        let dir = try TempDir("objstore-fs")
        defer { dir.remove() }
        let store = try FilesystemStore(directory: dir.path + "/bucket")
        try await store.put("a/b/c", bytes: [1])
        try await store.put("a/d", bytes: [1])
        try await store.delete("a/b/c")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/bucket/a/b"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/bucket/a/d"))
        try await store.delete("a/d")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/bucket") == [])
        #expect(try await store.list(prefix: "", delimiter: "/") == ObjectListing())
    }

    @Test func writesRacingWithDeletesOfTheirFolderSucceed() async throws {
        let dir = try TempDir("objstore-fs")
        defer { dir.remove() }
        let store = try FilesystemStore(directory: dir.path + "/bucket")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    try await store.put("f/\(i % 2)/x\(i)", bytes: [UInt8(i % 256)])
                    try await store.delete("f/\(i % 2)/x\(i)")
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.list(prefix: "f/").objects.isEmpty)
    }

    @Test func aFolderOnTheWayToKeysIsNotAnObject() async throws {
        let dir = try TempDir("objstore-fs")
        defer { dir.remove() }
        let store = try FilesystemStore(directory: dir.path + "/bucket")
        try await store.put("a/b", bytes: [1])
        #expect(try await store.head("a") == nil)
        await #expect(throws: ObjectStoreError.notFound(key: "a")) { try await store.get("a") }
    }
}
