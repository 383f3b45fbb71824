import TundraBlock

/// Walks one block's series in label order, reading the index a batch of series at a
/// time: what it holds is the block's series references (four bytes each) and one
/// batch, whatever the size of the block.
final class SeriesCursor {
    let reader: BlockReader
    let input: Int
    private let references: [UInt32]
    private let batchSize: Int
    private var nextReference = 0
    private var batch: [BlockSeries] = []
    private var position = 0

    init(_ reader: BlockReader, input: Int, batchSize: Int) throws(MergeError) {
        self.reader = reader
        self.input = input
        self.batchSize = max(1, batchSize)
        do {
            references = try reader.seriesReferences()
        } catch {
            throw .input(block: reader.meta.ulid, error)
        }
        try refill()
    }

    /// The series under the cursor; nil once the block is done.
    var current: BlockSeries? { position < batch.count ? batch[position] : nil }

    func advance() throws(MergeError) {
        position += 1
        if position >= batch.count { try refill() }
    }

    private func refill() throws(MergeError) {
        batch = []
        position = 0
        while batch.isEmpty && nextReference < references.count {
            let end = min(references.count, nextReference + batchSize)
            do {
                batch = try reader.series(references: references[nextReference..<end])
            } catch {
                throw .input(block: reader.meta.ulid, error)
            }
            nextReference = end
        }
    }
}
