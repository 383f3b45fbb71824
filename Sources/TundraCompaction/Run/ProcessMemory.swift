/// Allocator settings for a process that moves large buffers (download pieces, upload
/// parts, response bodies) through many threads.
public enum ProcessMemory {
    /// Serves allocations of 1 MiB and more with their own mappings, returned to the
    /// system when freed. glibc otherwise raises its mmap threshold after the first
    /// such buffer is freed (up to 32 MiB), and later ones stay in the heaps of the
    /// curl and thread-pool threads: measured on SeaweedFS, 204 MiB peak instead of
    /// 270 MiB for a downsampling pass (docs/benchmarks.md).
    public static func returnLargeBuffersToTheSystem() {
        #if os(Linux)
        // `M_MMAP_THRESHOLD` from <malloc.h>, which the Glibc module does not export.
        _ = glibcMallopt(-3, 1 << 20)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
