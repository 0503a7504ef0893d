#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64-byte aligned block of Float32 values owned by one or more tensors (views share it).
///
/// Alignment to a cache line keeps SIMD loads from straddling lines and matches what OpenBLAS
/// prefers for its packed panels. Large blocks come from and go back to `BufferPool`, so a
/// training loop reuses its buffers instead of page-faulting fresh ones every step.
final class Storage: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let count: Int

    /// Allocates `count` floats; zero-filled when `zeroed`, otherwise uninitialised (the caller
    /// writes every element before anything reads it).
    init(count: Int, zeroed: Bool) {
        self.count = count
        let bytes = Swift.max(count, 1) * MemoryLayout<Float>.stride
        let raw = BufferPool.shared.allocate(bytes: bytes)
        base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        if zeroed { memset(raw, 0, bytes) }
    }

    deinit { BufferPool.shared.release(UnsafeMutableRawPointer(base), bytes: Swift.max(count, 1) * MemoryLayout<Float>.stride) }
}
