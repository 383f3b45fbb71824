import Synchronization
import TundraBlock

/// A size-bounded, least-recently-used cache in memory of byte ranges read from blocks
/// in the bucket: chunk ranges, and the postings lists and series entries of indexes.
///
/// Entries are keyed by block, file and byte range. A read is served when one entry
/// holds the whole range asked for (a range fetched for several chunks at once serves
/// each of them), or holds the file up to its end. The bytes held never exceed
/// ``capacity``: a range larger than the whole cache is not kept. Safe to use from any
/// number of threads.
public final class ChunkCache: Sendable {
    /// The most bytes of range data held at once.
    public let capacity: Int
    private let state: Mutex<State>

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        state = Mutex(State())
    }

    /// Bytes held now; never above ``capacity``.
    public var bytes: Int { state.withLock { $0.bytes } }
    /// Ranges held now.
    public var entryCount: Int { state.withLock { $0.entries.count } }
    /// Reads answered from the cache, and reads that were not, since creation.
    public var hits: Int { state.withLock { $0.hits } }
    public var misses: Int { state.withLock { $0.misses } }

    /// The bytes of `range` of `file` of `block` if one entry holds them; fewer when the
    /// entry reaches the end of the file inside the range.
    func get(block: ULID, file: String, range: Range<Int>) -> [UInt8]? {
        state.withLock { s in
            let key = FileKey(block: block, file: file)
            guard let id = s.covering(key, range) else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            s.touch(id)
            guard let e = s.entries[id] else { return nil }
            let from = range.lowerBound - e.start
            let to = min(range.upperBound - e.start, e.bytes.count)
            return from >= to ? [] : Array(e.bytes[from..<to])
        }
    }

    /// Whether a read of `range` would be served without fetching.
    func contains(block: ULID, file: String, range: Range<Int>) -> Bool {
        state.withLock { $0.covering(FileKey(block: block, file: file), range) != nil }
    }

    /// Keeps `bytes`, read from `start` of `file`; `reachesEnd` when the file ended
    /// before the range asked for did. Evicts the least recently used ranges to stay
    /// within the capacity.
    func put(block: ULID, file: String, start: Int, bytes: [UInt8], reachesEnd: Bool) {
        guard bytes.count <= capacity, !bytes.isEmpty || reachesEnd else { return }
        state.withLock { s in
            let key = FileKey(block: block, file: file)
            if s.covering(key, start..<start + bytes.count) != nil { return }
            s.insert(Entry(key: key, start: start, bytes: bytes, reachesEnd: reachesEnd))
            while s.bytes > capacity, let oldest = s.tail { s.remove(oldest) }
        }
    }

    /// Drops every range of `block`: its files are gone from the bucket.
    func removeAll(block: ULID) {
        state.withLock { s in
            for id in s.entries.filter({ $0.value.key.block == block }).map(\.key) { s.remove(id) }
        }
    }
}

private struct FileKey: Hashable {
    let block: ULID
    let file: String
}

private struct Entry {
    let key: FileKey
    let start: Int
    let bytes: [UInt8]
    let reachesEnd: Bool
    var newer: Int?
    var older: Int?

    init(key: FileKey, start: Int, bytes: [UInt8], reachesEnd: Bool) {
        self.key = key
        self.start = start
        self.bytes = bytes
        self.reachesEnd = reachesEnd
    }

    func covers(_ range: Range<Int>) -> Bool {
        start <= range.lowerBound && (start + bytes.count >= range.upperBound || reachesEnd)
    }
}

/// The entries, a recency list through them (ids link newer and older), and per file
/// the entries sorted by start, to find the one holding a range by bisection.
private struct State {
    var entries: [Int: Entry] = [:]
    var byFile: [FileKey: [(start: Int, id: Int)]] = [:]
    var head: Int?
    var tail: Int?
    var nextID = 0
    var bytes = 0
    var hits = 0
    var misses = 0

    /// Ranges read together may overlap; a few entries before the nearest start are
    /// looked at for a longer one that covers.
    static let overlapLookBack = 8

    func covering(_ key: FileKey, _ range: Range<Int>) -> Int? {
        guard let list = byFile[key] else { return nil }
        var i = Self.lastIndex(list, startingAtOrBefore: range.lowerBound)
        var looked = 0
        while i >= 0 && looked < Self.overlapLookBack {
            let id = list[i].id
            if let e = entries[id], e.covers(range) { return id }
            i -= 1
            looked += 1
        }
        return nil
    }

    static func lastIndex(_ list: [(start: Int, id: Int)], startingAtOrBefore offset: Int) -> Int {
        var lo = 0
        var hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].start <= offset { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    mutating func insert(_ entry: Entry) {
        let id = nextID
        nextID += 1
        var e = entry
        e.older = head
        if let h = head { entries[h]?.newer = id }
        head = id
        if tail == nil { tail = id }
        entries[id] = e
        bytes += e.bytes.count
        var list = byFile[e.key] ?? []
        list.insert((e.start, id), at: Self.lastIndex(list, startingAtOrBefore: e.start) + 1)
        byFile[e.key] = list
    }

    mutating func touch(_ id: Int) {
        guard head != id, let e = entries[id] else { return }
        unlink(id, e)
        entries[id]?.older = head
        entries[id]?.newer = nil
        if let h = head { entries[h]?.newer = id }
        head = id
        if tail == nil { tail = id }
    }

    mutating func remove(_ id: Int) {
        guard let e = entries[id] else { return }
        unlink(id, e)
        entries[id] = nil
        bytes -= e.bytes.count
        if var list = byFile[e.key] {
            list.removeAll { $0.id == id }
            byFile[e.key] = list.isEmpty ? nil : list
        }
    }

    private mutating func unlink(_ id: Int, _ e: Entry) {
        if let n = e.newer { entries[n]?.older = e.older } else { head = e.older }
        if let o = e.older { entries[o]?.newer = e.newer } else { tail = e.newer }
    }
}
