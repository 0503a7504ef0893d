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

    /// Sizes within an eighth of their power of two share a block: between 128 and 256 KiB the
    /// classes are 16 KiB wide, so 250 KiB is served by 256 KiB's block; above 256 KiB they are
    /// 32 KiB wide, so 257 KiB takes the 288 KiB class.
    @Test func sizesOfOneClassShareABlock() {
        let pool = BufferPool(limitBytes: 4 * big)
        #expect(BufferPool.blockSize(250 * 1024) == big)
        #expect(BufferPool.blockSize(big + 1024) == big + 32 * 1024)
        #expect(BufferPool.blockSize(64 * 1024 + 1) == 72 * 1024)
        let a = pool.allocate(bytes: big)
        pool.release(a, bytes: big)
        #expect(pool.allocate(bytes: 250 * 1024) == a)
        pool.release(a, bytes: 250 * 1024)
        #expect(pool.allocate(bytes: big + 1024) != a)
        pool.releaseAll()
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

    /// A request the pool cannot serve gives back as many held bytes as it maps, least recently
    /// used first, so held plus live memory does not grow past what was mapped before.
    @Test func aMissReleasesAsMuchHeldMemoryAsItMaps() {
        let pool = BufferPool(limitBytes: 16 * big)
        let a = pool.allocate(bytes: big), b = pool.allocate(bytes: big), c = pool.allocate(bytes: 4 * big)
        pool.release(a, bytes: big)
        pool.release(b, bytes: big)
        pool.release(c, bytes: 4 * big)
        #expect(pool.cachedBytes == 6 * big)
        // 1.5·big is a class of its own and 4·big too large to serve it: both 1·big blocks (the
        // older bucket) go, c stays.
        let d = pool.allocate(bytes: 3 * big / 2)
        #expect(pool.cachedBytes == 4 * big)
        #expect(pool.allocate(bytes: 4 * big) == c)
        pool.release(c, bytes: 4 * big)
        pool.release(d, bytes: 3 * big / 2)
        pool.releaseAll()
    }

    /// A class that is not held is served from a held class up to half as large again, and the
    /// block goes back to its own class.
    @Test func aMissingClassIsServedFromASlightlyLargerOne() {
        let pool = BufferPool(limitBytes: 16 * big)
        let a = pool.allocate(bytes: 2 * big), b = pool.allocate(bytes: 4 * big)
        pool.release(a, bytes: 2 * big)
        pool.release(b, bytes: 4 * big)
        // 1.5·big: 2·big is at most half as large again, 4·big is not.
        #expect(pool.allocate(bytes: 3 * big / 2) == a)
        #expect(pool.cachedBytes == 4 * big)
        pool.release(a, bytes: 3 * big / 2)
        #expect(pool.cachedBytes == 6 * big)
        #expect(pool.allocate(bytes: 2 * big) == a)
        pool.release(a, bytes: 2 * big)
        pool.releaseAll()
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
