import Synchronization
import TundraBlock
import TundraObjectStore

/// The files of one block in an object store (`<ULID>/meta.json`, `<ULID>/index`,
/// `<ULID>/chunks/NNNNNN`), read with range GETs for a ``BlockReader``.
///
/// - `meta.json` comes from the meta given at creation (the bucket manifest holds every
///   block's), else from the index header cache, else one GET.
/// - The parts of `index` read while the block is opened (header, table of contents,
///   symbol table, postings offset table) come from the ``IndexHeaderCache`` when it has
///   them, else from range GETs that are then written to it; the index's size comes
///   from the same file, else from one HEAD.
/// - Everything else (postings lists, series entries, chunks) is read by range through
///   the ``ChunkCache``.
///
/// The object store is async and `BlockFileSource` synchronous: each fetch starts a
/// `Task` and blocks the calling thread until it completes. Call it from query threads
/// only, never from Swift's cooperative pool (see ``AsyncBridge``).
public final class ObjectStoreBlockSource: BlockFileSource {
    public let store: any ObjectStore
    public let block: ULID
    private let headerCache: IndexHeaderCache?
    private let chunkCache: ChunkCache?
    private let knownMeta: [UInt8]?
    private let sizes: Mutex<[String: Int]>
    private let fetchedMeta = Mutex<[UInt8]?>(nil)
    private let opening = Mutex<OpenState?>(nil)
    private let missing = Mutex<Set<String>>([])

    /// The index reads of an open in progress: served from the cached header where it
    /// has them, recorded to be written back when any had to be fetched.
    private struct OpenState {
        var preloaded: IndexHeader?
        var recorded: [IndexHeader.Piece]
        var fetched = false
    }

    /// `meta` is the block's meta when known (from the bucket manifest); `sizes` the
    /// sizes of its files where known, by file name.
    public init(
        store: any ObjectStore, block: ULID, meta: BlockMeta? = nil, sizes: [String: Int] = [:],
        headerCache: IndexHeaderCache? = nil, chunkCache: ChunkCache? = nil
    ) {
        self.store = store
        self.block = block
        self.headerCache = headerCache
        self.chunkCache = chunkCache
        knownMeta = meta.flatMap { try? $0.encoded() }
        self.sizes = Mutex(sizes)
    }

    /// Opens the block: reads `meta.json` and the index header (from the local cache
    /// when it has them) and writes to the cache what had to be fetched.
    public func openReader() throws(BlockError) -> BlockReader {
        let preloaded = headerCache?.loadHeader(block)
        opening.withLock { $0 = OpenState(preloaded: preloaded, recorded: preloaded?.ranges ?? []) }
        defer { opening.withLock { $0 = nil } }
        let reader = try BlockReader(source: self)
        let state = opening.withLock { $0 }
        if let headerCache, let state, state.fetched, let size = sizes.withLock({ $0[IndexFormat.fileName] }) {
            // A cache that cannot be written costs requests, not answers.
            try? headerCache.storeHeader(block, IndexHeader(indexSize: size, ranges: state.recorded))
        }
        if let headerCache, headerCache.loadMeta(block) == nil, let bytes = knownMeta ?? fetchedMeta.withLock({ $0 }) {
            try? headerCache.storeMeta(block, bytes)
        }
        return reader
    }

    /// Whether a read of this source found one of the block's objects missing.
    public var foundMissingObject: Bool { missing.withLock { !$0.isEmpty } }

    public func size(of file: String) throws(BlockError) -> Int {
        if file == BlockMeta.fileName { return try metaBytes().count }
        if let known = sizes.withLock({ $0[file] }) { return known }
        if file == IndexFormat.fileName, let size = opening.withLock({ $0?.preloaded?.indexSize }) {
            sizes.withLock { $0[file] = size }
            return size
        }
        let key = key(file)
        let store = store
        let info: ObjectInfo?
        do {
            info = try AsyncBridge.run { try await store.head(key) }
        } catch {
            throw BlockError(.io, "HEAD \(key): \(error)", file: file)
        }
        guard let info else {
            missing.withLock { _ = $0.insert(file) }
            throw BlockError(.io, "object \(key) not found", file: file)
        }
        let size = Int(info.size)
        sizes.withLock { $0[file] = size }
        return size
    }

    public func read(_ file: String, range: Range<Int>) throws(BlockError) -> [UInt8] {
        guard range.lowerBound >= 0 else { throw BlockError(.invalidInput, "negative offset \(range.lowerBound)", file: file) }
        if range.isEmpty { return [] }
        if file == BlockMeta.fileName {
            let bytes = try metaBytes()
            return range.lowerBound >= bytes.count ? [] : Array(bytes[range.lowerBound..<min(range.upperBound, bytes.count)])
        }
        if file == IndexFormat.fileName, let opening = opening.withLock({ $0 }) {
            if let bytes = opening.preloaded?.read(range) { return bytes }
            let bytes = try fetch(file, range)
            self.opening.withLock {
                $0?.recorded.append(IndexHeader.Piece(offset: range.lowerBound, bytes: bytes))
                $0?.fetched = true
            }
            return bytes
        }
        if let cached = chunkCache?.get(block: block, file: file, range: range) { return cached }
        let bytes = try fetch(file, range)
        chunkCache?.put(block: block, file: file, start: range.lowerBound, bytes: bytes, reachesEnd: bytes.count < range.count)
        return bytes
    }

    /// Fetches the ranges of `file` the chunk cache does not hold yet, at most
    /// `concurrency` requests at a time, into the cache, so that the reads that follow
    /// find them there. Without a cache, does nothing.
    func prefetch(_ file: String, ranges: [Range<Int>], concurrency: Int) throws(BlockError) {
        guard let chunkCache else { return }
        let wanted = ranges.filter { !$0.isEmpty && !chunkCache.contains(block: block, file: file, range: $0) }
        guard !wanted.isEmpty else { return }
        let key = key(file)
        let store = store
        let fetched: [(Range<Int>, Result<[UInt8], ObjectStoreError>)]
        do {
            fetched = try AsyncBridge.run {
                try await concurrentMap(wanted, concurrency: concurrency) { r in
                    do {
                        return (r, .success(try await store.get(key, range: Int64(r.lowerBound)..<Int64(r.upperBound))))
                    } catch let e as ObjectStoreError {
                        return (r, .failure(e))
                    }
                }
            }
        } catch {
            throw BlockError(.io, "GET \(key): \(error)", file: file)
        }
        for (r, result) in fetched {
            let bytes: [UInt8]
            switch result {
            case .success(let b): bytes = b
            case .failure(let e): bytes = try interpret(e, file: file, range: r)
            }
            chunkCache.put(block: block, file: file, start: r.lowerBound, bytes: bytes, reachesEnd: bytes.count < r.count)
        }
    }

    private func key(_ file: String) -> String { block.description + "/" + file }

    private func metaBytes() throws(BlockError) -> [UInt8] {
        if let knownMeta { return knownMeta }
        if let fetched = fetchedMeta.withLock({ $0 }) { return fetched }
        if let cached = headerCache?.loadMeta(block) {
            fetchedMeta.withLock { $0 = cached }
            return cached
        }
        let key = key(BlockMeta.fileName)
        let store = store
        let bytes: [UInt8]
        do {
            bytes = try AsyncBridge.run { try await store.get(key) }
        } catch let e as ObjectStoreError {
            if case .notFound = e { missing.withLock { _ = $0.insert(BlockMeta.fileName) } }
            throw BlockError(.io, "GET \(key): \(e)", file: BlockMeta.fileName)
        } catch {
            throw BlockError(.io, "GET \(key): \(error)", file: BlockMeta.fileName)
        }
        fetchedMeta.withLock { $0 = bytes }
        return bytes
    }

    private func fetch(_ file: String, _ range: Range<Int>) throws(BlockError) -> [UInt8] {
        let key = key(file)
        let store = store
        do {
            return try AsyncBridge.run { try await store.get(key, range: Int64(range.lowerBound)..<Int64(range.upperBound)) }
        } catch let e as ObjectStoreError {
            return try interpret(e, file: file, range: range)
        } catch {
            throw BlockError(.io, "GET \(key) bytes \(range.lowerBound)..<\(range.upperBound): \(error)", file: file, offset: range.lowerBound)
        }
    }

    /// A range past the end reads as nothing (`BlockFileSource` hands out fewer bytes at
    /// the end of a file, and the reader reports what it was missing); other failures
    /// are I/O errors naming the object.
    private func interpret(_ e: ObjectStoreError, file: String, range: Range<Int>) throws(BlockError) -> [UInt8] {
        let key = key(file)
        switch e {
        case .rangeNotSatisfiable: return []
        case .notFound:
            missing.withLock { _ = $0.insert(file) }
            throw BlockError(.io, "object \(key) not found", file: file, offset: range.lowerBound)
        default:
            throw BlockError(.io, "GET \(key) bytes \(range.lowerBound)..<\(range.upperBound): \(e)", file: file, offset: range.lowerBound)
        }
    }
}
