// libFuzzer entry for the XOR chunk decoder. Not part of the package: `scripts/fuzz`
// compiles it with `-sanitize=fuzzer,address`, and libFuzzer supplies `main`.
import TundraFuzz

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = ChunkFuzz.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
