import Synchronization

/// A ULID (github.com/ulid/spec): 48 bits of Unix milliseconds, then 80 random bits,
/// written as 26 characters of Crockford base32. Prometheus and Thanos name blocks by
/// them, so that sorting names sorts blocks by creation time.
///
/// ```swift
/// let id = ULID(milliseconds: 1_700_000_000_000)
/// let same = try ULID(parsing: id.description)
/// ```
public struct ULID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The top 64 bits: time (48) and the first 16 random bits.
    public let high: UInt64
    /// The low 64 random bits.
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A ULID for `milliseconds` with fresh randomness from the system generator.
    public init(milliseconds: UInt64) {
        var rng = SystemRandomNumberGenerator()
        self.init(milliseconds: milliseconds, using: &rng)
    }

    public init(milliseconds: UInt64, using rng: inout some RandomNumberGenerator) {
        high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(UInt16.random(in: .min ... .max, using: &rng))
        low = rng.next()
    }

    /// Unix time in milliseconds when the ULID was made.
    public var milliseconds: UInt64 { high >> 16 }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Parses the 26-character form; lower case is accepted, as the spec allows.
    public init(parsing text: String) throws(BlockError) {
        let chars = Array(text.utf8)
        guard chars.count == 26 else { throw BlockError(.corrupt, "ULID \"\(text)\" has \(chars.count) characters, want 26") }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for (i, c) in chars.enumerated() {
            guard let v = ULID.decode(c) else { throw BlockError(.corrupt, "ULID \"\(text)\" has a character outside Crockford base32") }
            // The first character carries only the top 3 of 128 bits.
            if i == 0 && v > 7 { throw BlockError(.corrupt, "ULID \"\(text)\" overflows 128 bits") }
            // Shift the 128-bit value left by 5 and add v.
            hi = hi << 5 | lo >> 59
            lo = lo << 5 | UInt64(v)
        }
        high = hi
        low = lo
    }

    private static func decode(_ c: UInt8) -> UInt8? {
        let upper = (c >= 0x61 && c <= 0x7A) ? c - 0x20 : c
        guard let i = alphabet.firstIndex(of: upper) else { return nil }
        return UInt8(i)
    }

    public var description: String {
        var out = [UInt8](repeating: 0, count: 26)
        var hi = high
        var lo = low
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = ULID.alphabet[Int(lo & 31)]
            lo = lo >> 5 | (hi & 31) << 59
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: ULID, b: ULID) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// Makes ULIDs that increase strictly even when several are made in one millisecond
/// (the spec's monotonic mode), so blocks cut in one go keep their order by name.
public final class ULIDGenerator: Sendable {
    private let last = Mutex<ULID?>(nil)

    public init() {}

    public func next(milliseconds: UInt64) -> ULID {
        last.withLock { last in
            var id = ULID(milliseconds: milliseconds)
            if let prev = last, prev.milliseconds >= id.milliseconds {
                // Same (or an earlier, if the clock stepped back) millisecond: add one
                // to the previous 80-bit randomness instead of drawing new.
                let (lo, carry) = prev.low.addingReportingOverflow(1)
                id = ULID(high: carry ? prev.high + 1 : prev.high, low: lo)
            }
            last = id
            return id
        }
    }
}
