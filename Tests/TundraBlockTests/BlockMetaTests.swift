import Foundation
import Testing
import TundraBlock

@Suite struct BlockMetaTests {
    /// A meta as Prometheus 2.42 writes it after compaction, with the fields we do not
    /// model (tombstones, float/histogram counts, hints).
    static let prometheusMeta = """
        {
        	"ulid": "01HF7YAT00VJ7Q4M1W4Z5X9G3C",
        	"minTime": 1700000000000,
        	"maxTime": 1700007200000,
        	"stats": {"numSamples": 1200, "numSeries": 10, "numChunks": 20, "numTombstones": 0, "numFloatSamples": 1200},
        	"compaction": {
        		"level": 2,
        		"sources": ["01HF7YAT00VJ7Q4M1W4Z5X9G3A", "01HF7YAT00VJ7Q4M1W4Z5X9G3B"],
        		"parents": [
        			{"ulid": "01HF7YAT00VJ7Q4M1W4Z5X9G3A", "minTime": 1700000000000, "maxTime": 1700003600000},
        			{"ulid": "01HF7YAT00VJ7Q4M1W4Z5X9G3B", "minTime": 1700003600000, "maxTime": 1700007200000}
        		],
        		"hints": ["from-out-of-order"]
        	},
        	"version": 1,
        	"thanos": {"labels": {"replica": "a"}, "downsample": {"resolution": 0}, "source": "sidecar", "segment_files": ["000001"]}
        }
        """

    @Test func prometheusAndThanosMetasParseIgnoringWhatWeDoNotModel() throws {
        let meta = try BlockMeta.decode(Array(Self.prometheusMeta.utf8))
        #expect(meta.ulid.description == "01HF7YAT00VJ7Q4M1W4Z5X9G3C")
        #expect(meta.maxTime - meta.minTime == 7_200_000)
        #expect(meta.stats == BlockStats(numSamples: 1200, numSeries: 10, numChunks: 20))
        #expect(meta.compaction.level == 2)
        #expect(meta.compaction.sources.count == 2)
        #expect(meta.compaction.parents.map(\.maxTime) == [1_700_003_600_000, 1_700_007_200_000])
        #expect(meta.tundra == nil)
    }

    @Test func fieldsPrometheusOmitsWhenZeroMayBeMissing() throws {
        let meta = try BlockMeta.decode(
            Array(#"{"ulid":"01HF7YAT00VJ7Q4M1W4Z5X9G3C","minTime":0,"maxTime":10,"stats":{},"compaction":{"level":1},"version":1}"#.utf8))
        #expect(meta.stats == BlockStats())
        #expect(meta.compaction.sources.isEmpty)
    }

    @Test func ourSectionRoundTrips() throws {
        let id = ULID(milliseconds: 1_700_000_000_000)
        let meta = BlockMeta(
            ulid: id, minTime: 0, maxTime: 3_600_000, stats: BlockStats(numSamples: 3, numSeries: 1, numChunks: 1),
            compaction: BlockCompaction(level: 1, sources: [id]),
            tundra: TundraBlockInfo(resolution: 60_000, rollup: "aggregate", source: .compactor, chunkEncodings: [1]))
        let bytes = try meta.encoded()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""chunk_encodings""#))
        #expect(text.contains(#""resolution" : 60000"#))
        #expect(!text.contains("parents"))
        #expect(try BlockMeta.decode(bytes) == meta)
    }

    @Test func anUnknownVersionOrBrokenJSONIsRefused() {
        let v2 = Self.prometheusMeta.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
        let e = #expect(throws: BlockError.self) { try BlockMeta.decode(Array(v2.utf8)) }
        #expect(e?.code == .unsupported)
        #expect(e?.file == "meta.json")
        let broken = #expect(throws: BlockError.self) { try BlockMeta.decode(Array("{\"ulid\": ".utf8)) }
        #expect(broken?.code == .corrupt)
    }
}
