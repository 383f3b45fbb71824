import Testing
import TundraEncoding
import TundraTestSupport

/// CRC-32C (Castagnoli), against published vectors and a bit-at-a-time reference.
@Suite struct CRC32CTests {
    /// The textbook bitwise CRC-32C: reflected polynomial 0x82F63B78, initial and final
    /// XOR with 0xFFFFFFFF. Slow and obviously right.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func publishedVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720 (iSCSI) appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0x00, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func referenceImplementationAgreesWithTheVectors() {
        #expect(Self.reference(Array("123456789".utf8)) == 0xE306_9283)
        #expect(Self.reference([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func matchesTheBitwiseReferenceOnRandomDataOfEveryLength() {
        var rng = SeededRandom(seed: 0xC3C)
        for length in 0...100 {
            for _ in 0..<5 {
                let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                #expect(CRC32C.checksum(data) == Self.reference(data), "seed \(hex(rng.seed)), length \(length)")
            }
        }
        let long = (0..<10_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(CRC32C.checksum(long) == Self.reference(long))
    }

    @Test func unalignedSlicesMatchTheReference() {
        var rng = SeededRandom(seed: 0xA11)
        let data = (0..<200).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for start in 0..<16 {
            for end in stride(from: start, through: data.count, by: 7) {
                let got = data.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
                #expect(got == Self.reference(Array(data[start..<end])), "bytes \(start)..<\(end)")
            }
        }
    }

    @Test func continuingEqualsChecksummingTheWhole() {
        var rng = SeededRandom(seed: 0x1C3)
        for length in 0...64 {
            let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let whole = CRC32C.checksum(data)
            for split in 0...length {
                let first = CRC32C.checksum(Array(data[..<split]))
                #expect(CRC32C.checksum(Array(data[split...]), continuing: first) == whole, "length \(length), split \(split)")
            }
            // Byte at a time.
            var crc: UInt32 = 0
            for b in data { crc = CRC32C.checksum([b], continuing: crc) }
            #expect(crc == whole)
        }
    }
}
