import Synchronization
import TundraBlock

/// An opened block: its reader, the source the reader reads through, and the chunk
/// segments whose header the reader has already checked (their first bytes need no
/// fetching any more).
final class OpenBlock: Sendable {
    let reader: BlockReader
    let source: ObjectStoreBlockSource
    private let checkedSegments = Mutex<Set<Int>>([])

    init(reader: BlockReader, source: ObjectStoreBlockSource) {
        self.reader = reader
        self.source = source
    }

    func segmentsUnchecked(_ segments: Set<Int>) -> Set<Int> {
        checkedSegments.withLock { segments.subtracting($0) }
    }

    func markChecked(_ segments: Set<Int>) {
        checkedSegments.withLock { $0.formUnion(segments) }
    }
}

/// The blocks opened most recently, at most `capacity` of them: a reader holds its
/// block's symbols and postings offsets in memory, so memory follows this count, not
/// the number of blocks in the bucket. A block dropped here is opened again from the
/// index header cache on disk when next needed.
final class OpenBlocks: Sendable {
    let capacity: Int
    /// Most recently used last.
    private let blocks = Mutex<[(id: ULID, block: OpenBlock)]>([])

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { blocks.withLock { $0.count } }

    /// The open block `id`, opened with `open` when it is not open. Two threads that
    /// ask for the same closed block at once may both open it; one reader is kept.
    func block(_ id: ULID, open: () throws(StoreError) -> OpenBlock) throws(StoreError) -> OpenBlock {
        if let found = take(id) { return found }
        let opened = try open()
        return blocks.withLock { list in
            if let i = list.firstIndex(where: { $0.id == id }) { return list[i].block }
            list.append((id, opened))
            if list.count > capacity { list.removeFirst(list.count - capacity) }
            return opened
        }
    }

    /// Forgets `id`: its files are gone from the bucket.
    func remove(_ id: ULID) {
        blocks.withLock { $0.removeAll { $0.id == id } }
    }

    private func take(_ id: ULID) -> OpenBlock? {
        blocks.withLock { list in
            guard let i = list.firstIndex(where: { $0.id == id }) else { return nil }
            let entry = list.remove(at: i)
            list.append(entry)
            return entry.block
        }
    }
}
