import TundraBlock
import TundraEncoding
import TundraModel

extension BucketQuerier {
    /// Runs `body` on the open block `meta`, opening it if needed.
    ///
    /// A failure is the query's, as a ``StoreError`` naming the block and file, except
    /// for a block with a deletion mark whose objects are gone: the compactor deleted it
    /// after its delay, its data lives in the block that replaced it (or retention let
    /// it go), and the answer is nil.
    func withBlock<T>(_ meta: BlockMeta, marked: Bool, _ body: (OpenBlock) throws(BlockError) -> T) throws(StoreError) -> T? {
        // The source is made only when the block is not open already.
        var used: ObjectStoreBlockSource?
        do throws(StoreError) {
            let open = try openBlocks.block(meta.ulid) { () throws(StoreError) -> OpenBlock in
                let source = ObjectStoreBlockSource(store: store, block: meta.ulid, meta: meta, headerCache: headerCache, chunkCache: chunkCache)
                used = source
                do throws(BlockError) {
                    return OpenBlock(reader: try source.openReader(), source: source)
                } catch {
                    throw StoreError(block: meta.ulid, error)
                }
            }
            used = open.source
            do throws(BlockError) {
                return try body(open)
            } catch {
                throw StoreError(block: meta.ulid, error)
            }
        } catch {
            if marked, used?.foundMissingObject == true {
                openBlocks.remove(meta.ulid)
                chunkCache.removeAll(block: meta.ulid)
                return nil
            }
            throw error
        }
    }

    /// The parts of the series matching `matchers` that `open` holds in [mint, maxt]:
    /// raw samples, or the rollup chunks overlapping it.
    func read(_ open: OpenBlock, matchers: [Matcher], mint: Int64, maxt: Int64, rollup: Bool) throws(BlockError) -> [(Labels, BlockPart.Data)] {
        let series = try open.reader.select(matchers: matchers, minTime: mint, maxTime: maxt)
        var out: [(Labels, BlockPart.Data)] = []
        out.reserveCapacity(series.count)
        for batch in batches(series, rollup: rollup) {
            try prefetch(batch, into: open, rollup: rollup)
            for s in batch {
                if rollup {
                    var chunks: [RollupChunk] = []
                    for c in s.chunks {
                        let chunk = try open.reader.chunk(c.ref)
                        do throws(ChunkError) {
                            chunks.append(try chunk.rollup())
                        } catch let e {
                            throw BlockError(
                                .corrupt, "rollup chunk of \(s.labels) does not decode: \(e)", file: ChunkSegment.fileName(segment: c.ref.segment),
                                offset: c.ref.offset)
                        }
                    }
                    if !chunks.isEmpty { out.append((s.labels, .rollup(chunks))) }
                } else {
                    let samples = try open.reader.samples(of: s, minTime: mint, maxTime: maxt)
                    if !samples.isEmpty { out.append((s.labels, .raw(samples))) }
                }
            }
        }
        return out
    }

    /// Bytes a chunk takes, roughly: the share of the chunk cache a batch of series
    /// fetches at once is estimated with it.
    private static func chunkEstimate(rollup: Bool) -> Int { rollup ? 4096 : 512 }

    /// Bytes read past the last chunk of a range, whose length is not known until read:
    /// a 120-sample XOR chunk, or a rollup chunk of 120 windows, nearly always fits.
    private static func readAhead(rollup: Bool) -> Int { rollup ? 16 << 10 : 2 << 10 }

    /// Series in groups whose chunks fill at most half the chunk cache, so a group's
    /// fetched ranges are still there when its chunks are decoded.
    private func batches(_ series: [BlockSeries], rollup: Bool) -> [ArraySlice<BlockSeries>] {
        let budget = max(1, chunkCache.capacity / 2)
        let each = Self.chunkEstimate(rollup: rollup)
        var out: [ArraySlice<BlockSeries>] = []
        var start = 0
        var bytes = 0
        for (i, s) in series.enumerated() {
            let size = s.chunks.count * each
            if bytes > 0 && bytes + size > budget {
                out.append(series[start..<i])
                start = i
                bytes = 0
            }
            bytes += size
        }
        if start < series.count { out.append(series[start...]) }
        return out
    }

    /// Fetches the chunks of `series` into the chunk cache, nearby ones in one range,
    /// with the header of each segment the reader has not checked yet.
    private func prefetch(_ series: ArraySlice<BlockSeries>, into open: OpenBlock, rollup: Bool) throws(BlockError) {
        guard chunkCache.capacity > 0 else { return }
        var offsets: [Int: [Int]] = [:]
        for s in series {
            for c in s.chunks { offsets[c.ref.segment, default: []].append(c.ref.offset) }
        }
        let unchecked = open.segmentsUnchecked(Set(offsets.keys))
        let maxLength = max(ChunkSegment.headerSize, min(options.maxRangeLength, chunkCache.capacity / 4))
        for segment in offsets.keys.sorted() {
            var starts = Array(Set(offsets[segment] ?? [])).sorted()
            if unchecked.contains(segment) { starts.insert(0, at: 0) }
            let ranges = Self.coalesce(starts, readAhead: Self.readAhead(rollup: rollup), gap: options.coalesceGap, maxLength: maxLength)
            try open.source.prefetch(ChunkSegment.fileName(segment: segment), ranges: ranges, concurrency: options.fetchConcurrency)
        }
        open.markChecked(unchecked)
    }

    /// Ranges of `readAhead` bytes from each start (ascending), merged where they
    /// overlap or lie within `gap` of each other, none longer than `maxLength` unless a
    /// single start's range is.
    static func coalesce(_ starts: [Int], readAhead: Int, gap: Int, maxLength: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for s in starts {
            let end = s + readAhead
            if let last = out.last, s <= last.upperBound + gap, end - last.lowerBound <= maxLength {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                out.append(s..<end)
            }
        }
        return out
    }
}
