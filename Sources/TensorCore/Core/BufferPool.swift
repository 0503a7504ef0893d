import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps freed large tensor buffers for reuse by the next tensor of the same size.
///
/// Why: a training step allocates the same few hundred buffers (activations, gradients) every
/// step, many of them megabytes. Handed back to malloc, blocks that large go back to the kernel
/// (glibc serves them by `mmap` or trims them off the heap), so the next step page-faults them
/// in again and the kernel zeroes every page: about a third of a reference-policy training
/// step's CPU time went to that. Blocks kept here are reused warm instead.
///
/// Blocks are bucketed by size class: a request is rounded up to a multiple of 4 KiB and of an
/// eighth of its largest power of two, so sizes within ~12 % of each other share a class. Why:
/// behaviour cloning pads every minibatch to its own longest episode, so its activations change
/// size at every step; with exact sizes the pool almost never had a block to reuse, and a
/// profile of cloning 740-token sequences spent ~9 % of its time faulting and zeroing fresh
/// pages. The rounding costs address space more than memory: only a tensor that needs a
/// block's tail ever touches it.
/// The pool holds at most `limitBytes`;
/// when a returned block does not fit, the least recently used buckets are released first.
/// Buffers below `minimumBytes` go straight to malloc, which keeps small blocks on its heap.
///
/// A request whose class is not held takes a held block of a class up to half as large again
/// (the block returns to its own class when freed): padded batches change shape every step, so
/// exact classes alone missed often.
/// A request the pool cannot serve at all first releases as many held bytes (least recently used
/// first) as it maps fresh. So the memory the process has mapped for tensors, held plus in use,
/// never grows past the most its live tensors ever needed at once, whatever the limit: sizes
/// that stop recurring give their memory to the ones that replace them. Without it, a pool large
/// enough for a SmolLM2 cloning step (~8 GB of activations) kept the previous micro-batch's
/// blocks beside the next one's and took the run to 14 GB.
///
/// Large blocks are mapped with `mmap` and unmapped when released, never taken from malloc.
/// Why: glibc raises its mmap threshold to the largest block freed so far (up to 32 MB), after
/// which multi-megabyte tensors come from its arenas and their freed memory stays with the
/// process, fragmented. A 135M-parameter LoRA run grew by ~9 GB per update that way and was
/// killed for memory; with its own mappings TensorCore's footprint is what it holds.
final class BufferPool: Sendable {
    /// The process-wide pool `Storage` allocates from. Its limit is `TURNRL_TENSOR_CACHE_MB`
    /// megabytes when that is set (0 turns pooling off), else a third of the machine's memory.
    static let shared = BufferPool(limitBytes: BufferPool.limitFromEnvironment())

    static let minimumBytes = 64 * 1024
    static let alignment = 64
    private static let granule = 4096

    /// Held blocks are stored as addresses (raw pointers are not Sendable into the lock).
    private struct Bucket {
        var blocks: [UInt] = []
        var lastUse: UInt64 = 0
    }

    private struct State {
        var buckets: [Int: Bucket] = [:]
        var cachedBytes = 0
        var clock: UInt64 = 0
        /// Blocks in use that were served from a larger class than their request's, by address.
        var servedLarger: [UInt: Int] = [:]
    }

    let limitBytes: Int
    private let state = Mutex(State())

    init(limitBytes: Int) {
        self.limitBytes = Swift.max(0, limitBytes)
    }

    deinit { releaseAll() }

    /// The size a request of `bytes` is served with (what `allocate` and `release` agree on):
    /// small requests as they are, large ones rounded up to their size class.
    static func blockSize(_ bytes: Int) -> Int {
        guard bytes >= minimumBytes else { return Swift.max(bytes, 1) }
        let largestPowerOfTwo = 1 << (Int.bitWidth - 1 - bytes.leadingZeroBitCount)
        let step = Swift.max(granule, largestPowerOfTwo / 8)
        return (bytes + step - 1) / step * step
    }

    /// A 64-byte aligned block of at least `bytes`, reused when the pool holds one of that size
    /// class or of a class up to half as large again. Its contents are undefined.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = Self.blockSize(bytes)
        if size >= Self.minimumBytes, limitBytes > 0 {
            let (reused, evicted) = state.withLock { s -> (UInt?, [(address: UInt, size: Int)]) in
                s.clock += 1
                if let block = Self.take(&s, size: size) { return (block, []) }
                // Padded batches change shape every step, so a class is often missing while a
                // slightly larger one is held: serving from it beats mapping fresh memory.
                let larger = s.buckets.keys.lazy.filter { $0 > size && $0 <= size + size / 2 }.min()
                if let larger, let block = Self.take(&s, size: larger) {
                    s.servedLarger[block] = larger
                    return (block, [])
                }
                // A miss: hand back as much held memory as is about to be mapped fresh.
                let target = s.cachedBytes - size
                return (nil, Self.evict(&s, keepingLast: size) { $0.cachedBytes > target })
            }
            evicted.forEach { Self.freeBlock($0.address, size: $0.size) }
            if let reused, let block = UnsafeMutableRawPointer(bitPattern: reused) { return block }
        }
        if size >= Self.minimumBytes {
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapped, mapped != MAP_FAILED else { Self.outOfMemory(size) }
            return mapped
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, Self.alignment, size) == 0, let raw else { Self.outOfMemory(size) }
        return raw
    }

    /// Pops a held block of exactly `size` from `s`, if there is one.
    private static func take(_ s: inout State, size: Int) -> UInt? {
        guard let block = s.buckets[size]?.blocks.popLast() else { return nil }
        // An emptied bucket goes, so the buckets are exactly the sizes held.
        if s.buckets[size]!.blocks.isEmpty { s.buckets[size] = nil } else { s.buckets[size]!.lastUse = s.clock }
        s.cachedBytes -= size
        return block
    }

    private static func outOfMemory(_ size: Int) -> Never {
        fatalError("TensorCore: cannot allocate \(size) bytes for a tensor; the machine is out of memory")
    }

    /// Takes back a block from `allocate(bytes:)` (same `bytes`): kept for reuse when it fits
    /// under the limit after releasing older buckets, otherwise freed.
    func release(_ block: UnsafeMutableRawPointer, bytes: Int) {
        let address = UInt(bitPattern: block), requested = Self.blockSize(bytes)
        guard requested >= Self.minimumBytes else {
            Self.freeBlock(address, size: requested)
            return
        }
        let limit = limitBytes
        let evicted = state.withLock { s -> [(address: UInt, size: Int)] in
            // A block served from a larger class is that class's again.
            let size = s.servedLarger.removeValue(forKey: address) ?? requested
            guard size <= limit else { return [(address, size)] }
            s.clock += 1
            let evicted = Self.evict(&s, keepingLast: size) { $0.cachedBytes + size > limit }
            s.buckets[size, default: Bucket()].blocks.append(address)
            s.buckets[size]!.lastUse = s.clock
            s.cachedBytes += size
            return evicted
        }
        evicted.forEach { Self.freeBlock($0.address, size: $0.size) }
    }

    /// Takes blocks out of `s` while `needed` holds, from the least recently used bucket first
    /// and the bucket of `size` last; returns them for the caller to free outside the lock.
    private static func evict(_ s: inout State, keepingLast size: Int, while needed: (State) -> Bool) -> [(address: UInt, size: Int)] {
        var evicted: [(address: UInt, size: Int)] = []
        while needed(s) {
            let victim = s.buckets.min { a, b in
                (a.key == size ? 1 : 0, a.value.lastUse) < (b.key == size ? 1 : 0, b.value.lastUse)
            }
            guard let oldest = victim?.key else { break }
            // Empty the victim only as far as needed, then look for the next one.
            while needed(s), let block = s.buckets[oldest]?.blocks.popLast() {
                evicted.append((block, oldest))
                s.cachedBytes -= oldest
            }
            if s.buckets[oldest]!.blocks.isEmpty { s.buckets[oldest] = nil }
        }
        return evicted
    }

    /// Bytes held for reuse right now.
    var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Frees every held block (memory goes back to malloc and, for large blocks, the system).
    func releaseAll() {
        let blocks = state.withLock { s -> [(address: UInt, size: Int)] in
            let all = s.buckets.flatMap { size, bucket in bucket.blocks.map { ($0, size) } }
            s.buckets = [:]
            s.cachedBytes = 0
            return all
        }
        blocks.forEach { Self.freeBlock($0.address, size: $0.size) }
    }

    /// Returns a block of `size` (a `blockSize`) to where `allocate` got it: the system for a
    /// mapped large block, malloc for a small one.
    private static func freeBlock(_ address: UInt, size: Int) {
        let block = UnsafeMutableRawPointer(bitPattern: address)
        if size >= minimumBytes {
            munmap(block, size)
        } else {
            free(block)
        }
    }

    private static func limitFromEnvironment() -> Int {
        if let text = getenv("TURNRL_TENSOR_CACHE_MB").map({ String(cString: $0) }), let mb = Int(text), mb >= 0 {
            return mb * 1024 * 1024
        }
        // A third of physical memory: enough to keep a SmolLM2 LoRA step's activations (~8 GB)
        // on a 24 GB machine; what the pool holds is bounded by the process's own peak anyway.
        return Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE))) / 3
    }
}

extension Tensor {
    /// Frees the large buffers TensorCore keeps for reuse after their tensors died (at most
    /// `TURNRL_TENSOR_CACHE_MB`, default a third of memory). Call it after a phase whose buffer
    /// sizes will not recur, to return that memory to the system; the next allocations are then
    /// fresh.
    public static func releaseCachedBuffers() { BufferPool.shared.releaseAll() }

    /// Bytes of freed tensor buffers currently kept for reuse.
    public static var cachedBufferBytes: Int { BufferPool.shared.cachedBytes }
}
