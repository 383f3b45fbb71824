import TundraIngest
import TundraModel

/// Fuzz entry for the remote-write decoder, shared by the libFuzzer target
/// (`Fuzz/RemoteWriteFuzzer`, built by `scripts/fuzz remote-write`) and the corpus replay
/// tests.
///
/// Any bytes may come in. They are decoded four ways: as a raw protobuf message and as a
/// snappy-compressed body, each as a v1 `prometheus.WriteRequest` and as a v2
/// `io.prometheus.write.v2.Request`. Every decode must end in a ``DecodedWrite`` or a
/// ``RemoteWriteDecodeError``, never a crash or a hang. What holds of every successful
/// decode, and how the four decodes relate, is checked with `precondition`, so that the
/// fuzzer reports a violation as a crash:
///
/// - every accepted series has samples, a valid metric name, valid label names sorted
///   and unique, and no empty label value; every refused one has samples and a reason;
/// - ``DecodedWrite/sampleCount`` is the sum of the accepted series' samples;
/// - snappy round-trips the bytes, and the compressed form of the bytes decodes exactly
///   as the bytes do raw;
/// - the bytes as a compressed body decode exactly as their decompression does raw, and
///   fail when they do not decompress or decompress to more than the decoder's limit.
public enum RemoteWriteFuzz {
    /// Runs one input. Returns the samples accepted over the four decodes (0 when none
    /// succeeds), so that the work cannot be optimised away.
    public static func run(_ data: [UInt8]) -> Int {
        let decoder = RemoteWriteDecoder()
        var samples = 0
        for version in [RemoteWriteVersion.v1, .v2] {
            let raw = outcome { () throws(RemoteWriteDecodeError) in try decoder.decode(raw: data, version: version) }
            samples += raw.samples

            // The bytes compressed: the same outcome as raw, error text and all.
            if data.count <= decoder.maxDecompressedBytes {
                let compressed = Snappy.compress(data)
                let back = try? Snappy.decompress(compressed, limit: decoder.maxDecompressedBytes)
                precondition(back == data, "snappy did not round-trip \(data.count) bytes")
                let viaSnappy = outcome { () throws(RemoteWriteDecodeError) in
                    try decoder.decode(compressed: compressed, version: version)
                }
                precondition(viaSnappy == raw, "\(version): compressed body decoded as \(viaSnappy), raw as \(raw)")
            }

            // The bytes as a compressed body.
            let body = outcome { () throws(RemoteWriteDecodeError) in try decoder.decode(compressed: data, version: version) }
            samples += body.samples
            do {
                let plain = try Snappy.decompress(data, limit: decoder.maxDecompressedBytes)
                let direct = outcome { () throws(RemoteWriteDecodeError) in try decoder.decode(raw: plain, version: version) }
                precondition(body == direct, "\(version): body decoded as \(body), its decompression as \(direct)")
                if !plain.isEmpty {
                    // One byte under the decompressed size is over the limit.
                    let tight = RemoteWriteDecoder(maxDecompressedBytes: plain.count - 1)
                    let refused = outcome { () throws(RemoteWriteDecodeError) in
                        try tight.decode(compressed: data, version: version)
                    }
                    precondition(!refused.succeeded, "\(version): a body of \(plain.count) bytes passed a limit of \(plain.count - 1)")
                }
            } catch {
                precondition(!body.succeeded, "\(version): bytes that do not decompress (\(error)) decoded as a body")
            }
        }
        return samples
    }

    /// A decode's result in a comparable form.
    enum Outcome: Equatable, CustomStringConvertible {
        case decoded(Summary)
        case failed(String)

        var succeeded: Bool {
            if case .decoded = self { return true }
            return false
        }

        var samples: Int {
            if case .decoded(let s) = self { return s.sampleCount }
            return 0
        }

        var description: String {
            switch self {
            case .decoded(let s):
                "\(s.series.count) series, \(s.sampleCount) samples, \(s.invalid.count) invalid, \(s.metadata.count) metadata"
            case .failed(let why): "error: \(why)"
            }
        }
    }

    /// ``DecodedWrite`` less its tuple array, which is not `Equatable`.
    struct Summary: Equatable {
        var series: [SeriesSamples]
        var invalid: [String]
        var histograms: Int
        var exemplars: Int
        var metadata: [String: MetricMetadata]
        var sampleCount: Int
    }

    static func outcome(_ decode: () throws(RemoteWriteDecodeError) -> DecodedWrite) -> Outcome {
        do {
            let write = try decode()
            check(write)
            return .decoded(
                Summary(
                    series: write.series, invalid: write.invalid.map { "\($0.labels) \($0.reason) \($0.samples)" },
                    histograms: write.histograms, exemplars: write.exemplars, metadata: write.metadata,
                    sampleCount: write.sampleCount))
        } catch {
            precondition(!error.description.isEmpty, "a decode error without a description")
            return .failed(error.description)
        }
    }

    /// What holds of every successful decode.
    static func check(_ write: DecodedWrite) {
        var sum = 0
        for s in write.series {
            precondition(!s.samples.isEmpty, "series \(s.labels) decoded without samples")
            sum += s.samples.count
            guard let name = s.labels.metricName else { preconditionFailure("series \(s.labels) has no metric name") }
            precondition(LabelValidation.isValidMetricName(name), "series has an invalid metric name \(name)")
            var previous: String?
            for pair in s.labels {
                precondition(LabelValidation.isValidName(pair.name), "series \(s.labels) has an invalid label name")
                precondition(!pair.value.isEmpty, "series \(s.labels) keeps an empty label value")
                if let previous {
                    precondition(previous < pair.name, "series \(s.labels): label names not sorted and unique")
                }
                previous = pair.name
            }
        }
        precondition(write.sampleCount == sum, "sampleCount \(write.sampleCount), the series hold \(sum)")
        for bad in write.invalid {
            precondition(bad.samples > 0, "refused series \(bad.labels) without samples")
            precondition(!bad.reason.isEmpty, "refused series \(bad.labels) without a reason")
        }
        precondition(write.histograms >= 0 && write.exemplars >= 0, "negative histogram or exemplar count")
        for (family, md) in write.metadata {
            precondition(!family.isEmpty, "metadata for an empty family name")
            precondition(Self.typeNames.contains(md.type), "metadata type \(md.type)")
        }
    }

    static let typeNames: Set<String> = [
        "unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset",
    ]
}
