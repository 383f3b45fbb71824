import Foundation
import Testing
import TundraObjectStore
import TundraTestSupport

/// One behaviour every ``ObjectStore`` must have, whatever is behind it. The filesystem
/// suite runs each as its own test; the SeaweedFS suite runs them all against one server.
/// Each check works under its own key prefix, so they can share a bucket.
enum ConformanceCheck: String, CaseIterable, Sendable {
    case putGetHead, rangeGet, listPrefixAndDelimiter, listManyPages, delete, conditionalPut, concurrentConditionalPut
    case multipartFile, smallFile, unusualKeys, invalidKeys

    func run(_ store: any ObjectStore, scratch: TempDir) async throws {
        let p = "conformance/\(rawValue)/"
        switch self {
        case .putGetHead:
            let bytes = Self.bytes(3000, seed: 1)
            try await store.put(p + "obj", bytes: bytes)
            #expect(try await store.get(p + "obj") == bytes)
            let info = try #require(try await store.head(p + "obj"))
            #expect(info.key == p + "obj")
            #expect(info.size == 3000)
            #expect(!info.etag.isEmpty)
            #expect(abs(info.lastModified.timeIntervalSinceNow) < 600)
            #expect(try await store.head(p + "missing") == nil)
            await #expect(throws: ObjectStoreError.notFound(key: p + "missing")) { try await store.get(p + "missing") }
            // Overwrite replaces the whole object.
            try await store.put(p + "obj", bytes: [7, 7])
            #expect(try await store.get(p + "obj") == [7, 7])
            try await store.put(p + "empty", bytes: [])
            #expect(try await store.get(p + "empty") == [])
            #expect(try await store.head(p + "empty")?.size == 0)

        case .rangeGet:
            let bytes = Self.bytes(1000, seed: 2)
            try await store.put(p + "obj", bytes: bytes)
            #expect(try await store.get(p + "obj", range: 0..<10) == Array(bytes[0..<10]))
            #expect(try await store.get(p + "obj", range: 990..<1000) == Array(bytes[990..<1000]))
            #expect(try await store.get(p + "obj", range: 500..<501) == [bytes[500]])
            #expect(try await store.get(p + "obj", range: 995..<2000) == Array(bytes[995..<1000]))
            #expect(try await store.get(p + "obj", range: 10..<10) == [])
            await #expect(throws: ObjectStoreError.rangeNotSatisfiable(key: p + "obj", range: 1000..<1010)) {
                try await store.get(p + "obj", range: 1000..<1010)
            }
            await #expect(throws: ObjectStoreError.notFound(key: p + "missing")) { try await store.get(p + "missing", range: 0..<1) }

        case .listPrefixAndDelimiter:
            let keys = ["a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "a-x", "b/6", "c"]
            for k in keys { try await store.put(p + k, bytes: Array(k.utf8)) }
            let all = try await store.list(prefix: p)
            #expect(all.keys == ["a-x", "a/1", "a/2", "a/b/3", "a/b/4", "a/c/5", "b/6", "c"].map { p + $0 })
            #expect(all.commonPrefixes == [])
            #expect(all.objects.first { $0.key == p + "a/b/3" }?.size == 5)
            let top = try await store.list(prefix: p, delimiter: "/")
            #expect(top.keys == [p + "a-x", p + "c"])
            #expect(top.commonPrefixes == [p + "a/", p + "b/"])
            let underA = try await store.list(prefix: p + "a/", delimiter: "/")
            #expect(underA.keys == [p + "a/1", p + "a/2"])
            #expect(underA.commonPrefixes == [p + "a/b/", p + "a/c/"])
            // A prefix that ends inside a name.
            let partial = try await store.list(prefix: p + "a", delimiter: "/")
            #expect(partial.keys == [p + "a-x"])
            #expect(partial.commonPrefixes == [p + "a/"])
            #expect(try await store.list(prefix: p + "a/b/").keys == [p + "a/b/3", p + "a/b/4"])
            #expect(try await store.list(prefix: p + "zzz", delimiter: "/") == ObjectListing())

        case .listManyPages:
            // More than one 1000-key page of S3 even at its largest page size.
            let keys = (0..<1001).map { p + String(format: "%02d/%04d", $0 % 7, $0) }
            try await Self.forEach(keys, width: 16) { try await store.put($0, bytes: [1]) }
            let listed = try await store.list(prefix: p)
            #expect(listed.objects.count == 1001)
            #expect(listed.keys == keys.sorted())
            let rolled = try await store.list(prefix: p, delimiter: "/")
            #expect(rolled.commonPrefixes == (0..<7).map { p + String(format: "%02d/", $0) })
            #expect(try await store.list(prefix: p + "03/").objects.count == 143)

        case .delete:
            try await store.put(p + "obj", bytes: [1, 2, 3])
            try await store.put(p + "sub/obj", bytes: [4])
            try await store.delete(p + "obj")
            #expect(try await store.head(p + "obj") == nil)
            await #expect(throws: ObjectStoreError.notFound(key: p + "obj")) { try await store.get(p + "obj") }
            try await store.delete(p + "obj")
            try await store.delete(p + "never-there")
            try await store.delete(p + "sub/obj")
            let after = try await store.list(prefix: p, delimiter: "/")
            #expect(after.objects.isEmpty, "\(after)")
            // S3 drops a prefix with its last object. SeaweedFS keeps reporting the emptied
            // folder as a common prefix (docs/object-store.md); it must hold nothing.
            for common in after.commonPrefixes {
                #expect(try await store.list(prefix: common).objects.isEmpty, "\(common)")
            }
            // The key is free again, also for a conditional write.
            try await store.put(p + "obj", bytes: [9], ifNoneMatch: true)
            #expect(try await store.get(p + "obj") == [9])

        case .conditionalPut:
            try await store.put(p + "obj", bytes: [1], ifNoneMatch: true)
            await #expect(throws: ObjectStoreError.preconditionFailed(key: p + "obj")) {
                try await store.put(p + "obj", bytes: [2], ifNoneMatch: true)
            }
            #expect(try await store.get(p + "obj") == [1])
            // An unconditional write still replaces it.
            try await store.put(p + "obj", bytes: [3])
            #expect(try await store.get(p + "obj") == [3])

        case .concurrentConditionalPut:
            let winners = try await withThrowingTaskGroup(of: UInt8?.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        do {
                            try await store.put(p + "obj", bytes: [UInt8(i)], ifNoneMatch: true)
                            return UInt8(i)
                        } catch ObjectStoreError.preconditionFailed {
                            return nil
                        }
                    }
                }
                var out: [UInt8] = []
                for try await w in group { if let w { out.append(w) } }
                return out
            }
            #expect(winners.count == 1, "winners: \(winners)")
            #expect(try await store.get(p + "obj") == winners)

        case .multipartFile:
            // Larger than two 5 MiB parts, with a short last part.
            let bytes = Self.bytes(11 << 20 + 12345, seed: 3)
            let path = scratch.path + "/multipart.bin"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try await store.putFile(p + "big", path: path)
            #expect(try await store.head(p + "big")?.size == Int64(bytes.count))
            #expect(try await store.get(p + "big") == bytes)
            #expect(try await store.get(p + "big", range: 5 << 20 - 3..<5 << 20 + 3) == Array(bytes[(5 << 20 - 3)..<(5 << 20 + 3)]))

        case .smallFile:
            let bytes = Self.bytes(1234, seed: 4)
            let path = scratch.path + "/small.bin"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try await store.putFile(p + "small", path: path)
            #expect(try await store.get(p + "small") == bytes)
            await #expect(throws: ObjectStoreError.self) { try await store.putFile(p + "nofile", path: scratch.path + "/absent") }

        case .unusualKeys:
            let keys = [
                "with space/file name.txt", "unicodé/ключ/日本語.bin", "plus+sign=equals&amp.txt", "percent%20literal",
                "punct!$'()*,;:@[]~.txt", "emoji🧊/x",
            ]
            for (i, k) in keys.enumerated() { try await store.put(p + k, bytes: [UInt8(i)]) }
            for (i, k) in keys.enumerated() {
                #expect(try await store.get(p + k) == [UInt8(i)], "\(k)")
                #expect(try await store.head(p + k)?.size == 1, "\(k)")
            }
            let listed = try await store.list(prefix: p)
            #expect(listed.keys == keys.map { p + $0 }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(try await store.list(prefix: p + "unicodé/", delimiter: "/").commonPrefixes == [p + "unicodé/ключ/"])
            for k in keys { try await store.delete(p + k) }
            #expect(try await store.list(prefix: p).objects.isEmpty)

        case .invalidKeys:
            for key in ["", "/a", "a//b", "a/", "a/../b", "./a", "a/\u{1}b", "a/.tundra-tmp-x"] {
                await #expect(throws: ObjectStoreError.self, "\(key.debugDescription)") { try await store.put(key, bytes: [1]) }
                do {
                    _ = try await store.get(key)
                    Issue.record("get accepted \(key.debugDescription)")
                } catch ObjectStoreError.invalidKey {
                } catch {
                    Issue.record("get \(key.debugDescription): \(error)")
                }
            }
        }
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRandom(seed: seed)
        var out = [UInt8]()
        out.reserveCapacity(count + 8)
        while out.count < count { withUnsafeBytes(of: rng.next()) { out += $0 } }
        return Array(out.prefix(count))
    }

    /// Runs `body` over `items` with at most `width` at once.
    static func forEach(_ items: [String], width: Int, _ body: @escaping @Sendable (String) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var it = items.makeIterator()
            for _ in 0..<width { if let x = it.next() { group.addTask { try await body(x) } } }
            while try await group.next() != nil { if let x = it.next() { group.addTask { try await body(x) } } }
        }
    }
}
