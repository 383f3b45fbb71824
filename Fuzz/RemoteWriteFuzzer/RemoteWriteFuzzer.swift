// libFuzzer entry for the remote-write decoder. Not part of the package:
// `scripts/fuzz remote-write` compiles it with `-sanitize=fuzzer,address`, and libFuzzer
// supplies `main`.
import TundraFuzz

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = RemoteWriteFuzz.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
