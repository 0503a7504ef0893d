import Testing
@testable import TensorCore

/// The pool that recycles large tensor buffers: reuse by size, the byte limit with
/// least-recently-used eviction, and tensors never seeing a previous tensor's values.
@Suite struct BufferPoolTests {
    let big = 256 * 1024

    @Test func releasedBlockIsReusedForTheSameSize() {
        let pool = BufferPool(limitBytes: 4 * big)
        let a = pool.allocate(bytes: big)
        pool.release(a, bytes: big)
        #expect(pool.cachedBytes == big)
        // A size in the same 4 KiB granule is served by the same block.
        let b = pool.allocate(bytes: big - 100)
        #expect(b == a)
        #expect(pool.cachedBytes == 0)
        pool.release(b, bytes: big - 100)
    }

    @Test func smallBlocksAreNotKept() {
        let pool = BufferPool(limitBytes: 4 * big)
        let small = pool.allocate(bytes: BufferPool.minimumBytes - 4)
        pool.release(small, bytes: BufferPool.minimumBytes - 4)
        #expect(pool.cachedBytes == 0)
    }

    @Test func limitEvictsTheLeastRecentlyUsedSizeFirst() {
        let pool = BufferPool(limitBytes: 3 * big)
        let old = pool.allocate(bytes: big), recent = pool.allocate(bytes: 2 * big), x = pool.allocate(bytes: 2 * big)
        pool.release(old, bytes: big)
        pool.release(recent, bytes: 2 * big)
        #expect(pool.cachedBytes == 3 * big)
        // x does not fit: the older 1·big bucket goes first, then (still too full) x's own size.
        pool.release(x, bytes: 2 * big)
        #expect(pool.cachedBytes == 2 * big)
        #expect(pool.allocate(bytes: 2 * big) == x)
        #expect(pool.cachedBytes == 0)
        pool.release(x, bytes: 2 * big)
        pool.releaseAll()
        #expect(pool.cachedBytes == 0)
    }

    @Test func disabledPoolKeepsNothing() {
        let pool = BufferPool(limitBytes: 0)
        let a = pool.allocate(bytes: big)
        pool.release(a, bytes: big)
        #expect(pool.cachedBytes == 0)
    }

    @Test func zerosAreZeroAfterReuse() {
        let n = 100_000
        for _ in 0..<3 {
            _ = Tensor.full([n], 7).toArray()
            let z = Tensor.zeros([n])
            #expect(z.toArray().allSatisfy { $0 == 0 })
        }
    }
}
