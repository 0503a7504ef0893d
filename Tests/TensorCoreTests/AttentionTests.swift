import Testing
@testable import TensorCore

/// Attention written the slow, obvious way in Double: per batch, head and query, scores over
/// the visible keys, a softmax, and the weighted sum of values.
private func referenceAttention(q: [Float], k: [Float], v: [Float], b: Int, tq: Int, cap: Int, len: Int,
                                d: Int, heads: Int, mask: [Bool]?) -> [Float] {
    let dh = d / heads
    var out = [Float](repeating: 0, count: b * tq * d)
    for bi in 0..<b {
        for h in 0..<heads {
            for i in 0..<tq {
                let position = len - tq + i
                var scores: [(Int, Double)] = []
                for j in 0...position where mask?[bi * cap + j] ?? true {
                    var s = 0.0
                    for c in 0..<dh { s += Double(q[(bi * tq + i) * d + h * dh + c]) * Double(k[(bi * cap + j) * d + h * dh + c]) }
                    scores.append((j, s / Double(dh).squareRoot()))
                }
                guard let m = scores.map(\.1).max() else { continue }
                let z = scores.reduce(0) { $0 + Foundation.exp($1.1 - m) }
                for c in 0..<dh {
                    var acc = 0.0
                    for (j, s) in scores { acc += Foundation.exp(s - m) / z * Double(v[(bi * cap + j) * d + h * dh + c]) }
                    out[(bi * tq + i) * d + h * dh + c] = Float(acc)
                }
            }
        }
    }
    return out
}

import Foundation

@Test func attentionMatchesReferenceWithPaddingAndKVCache() {
    var rng = SeededRNG(seed: 30)
    let (b, t, d, heads) = (2, 5, 12, 3)
    let q = Tensor.randn([b, t, d], rng: &rng), k = Tensor.randn([b, t, d], rng: &rng), v = Tensor.randn([b, t, d], rng: &rng)
    // Batch 1 is left-padded by two positions: its first two queries see no key at all.
    let mask = [true, true, true, true, true, false, false, true, true, true]
    let out = Tensor.causalSelfAttention(query: q, key: k, value: v, heads: heads, keyMask: mask).toArray()
    let ref = referenceAttention(q: q.toArray(), k: k.toArray(), v: v.toArray(), b: b, tq: t, cap: t, len: t, d: d, heads: heads, mask: mask)
    for (a, r) in zip(out, ref) { #expect(abs(a - r) < 1e-5) }
    // KV cache: 2 new queries against a cache of capacity 7 holding 4 filled positions.
    let kc = Tensor.randn([b, 7, d], rng: &rng), vc = Tensor.randn([b, 7, d], rng: &rng)
    let q2 = Tensor.randn([b, 2, d], rng: &rng)
    let cached = Tensor.causalSelfAttention(query: q2, key: kc, value: vc, heads: heads, keyLength: 4).toArray()
    let ref2 = referenceAttention(q: q2.toArray(), k: kc.toArray(), v: vc.toArray(), b: b, tq: 2, cap: 7, len: 4, d: d, heads: heads, mask: nil)
    for (a, r) in zip(cached, ref2) { #expect(abs(a - r) < 1e-5) }
    // One decoding step (a single query: the sgemv path), with padding in the cache.
    let q1 = Tensor.randn([b, 1, d], rng: &rng)
    let cacheMask = [true, true, false, true, true, true, true, false, true, true, true, true, true, true]
    let step = Tensor.causalSelfAttention(query: q1, key: kc, value: vc, heads: heads, keyLength: 5, keyMask: cacheMask).toArray()
    let ref3 = referenceAttention(q: q1.toArray(), k: kc.toArray(), v: vc.toArray(), b: b, tq: 1, cap: 7, len: 5, d: d, heads: heads, mask: cacheMask)
    for (a, r) in zip(step, ref3) { #expect(abs(a - r) < 1e-5) }
}

@Test func attentionGradientsWithMask() {
    var rng = SeededRNG(seed: 31)
    let (b, t, d, heads) = (2, 4, 6, 2)
    let q = Tensor.randn([b, t, d], rng: &rng), k = Tensor.randn([b, t, d], rng: &rng), v = Tensor.randn([b, t, d], rng: &rng)
    let mask = [true, false, true, true, false, true, true, true]
    checkGradients([q, k, v], h: 3e-3) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, keyMask: mask)
    }
    // Queries fewer than keys (scoring a continuation after a cached prompt).
    let q2 = Tensor.randn([b, 2, d], rng: &rng)
    checkGradients([q2, k, v], h: 3e-3) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, keyMask: mask)
    }
}

@Test func fusedQKVAttentionEqualsSplitAndHasGradients() {
    var rng = SeededRNG(seed: 32)
    let (b, t, d, heads) = (2, 5, 8, 2)
    let qkv = Tensor.randn([b, t, 3 * d], rng: &rng)
    let mask = [true, true, true, true, true, false, true, true, true, true]
    let fused = Tensor.causalSelfAttention(qkv: qkv, heads: heads, keyMask: mask).toArray()
    let parts = qkv.split(axis: 2, sizes: [d, d, d])
    let split = Tensor.causalSelfAttention(query: parts[0], key: parts[1], value: parts[2], heads: heads, keyMask: mask).toArray()
    for (a, s) in zip(fused, split) { #expect(abs(a - s) < 1e-6) }
    checkGradients([qkv], h: 3e-3) { Tensor.causalSelfAttention(qkv: $0[0], heads: heads, keyMask: mask) }
}

@Test func longSequencesCrossQueryBlocks() {
    // 150 positions span three 64-query blocks (the last one partial); the KV-cache case puts
    // 70 queries at the end of 150 filled keys in a 160-position cache.
    var rng = SeededRNG(seed: 33)
    let (d, heads) = (8, 2)
    let q = Tensor.randn([1, 150, d], rng: &rng), k = Tensor.randn([1, 150, d], rng: &rng), v = Tensor.randn([1, 150, d], rng: &rng)
    var mask = [Bool](repeating: true, count: 150)
    for j in stride(from: 0, to: 150, by: 7) { mask[j] = false }
    let out = Tensor.causalSelfAttention(query: q, key: k, value: v, heads: heads, keyMask: mask).toArray()
    let ref = referenceAttention(q: q.toArray(), k: k.toArray(), v: v.toArray(), b: 1, tq: 150, cap: 150, len: 150, d: d, heads: heads, mask: mask)
    #expect(zip(out, ref).allSatisfy { abs($0 - $1) < 1e-5 })
    let kc = Tensor.randn([1, 160, d], rng: &rng), vc = Tensor.randn([1, 160, d], rng: &rng), q2 = Tensor.randn([1, 70, d], rng: &rng)
    let cached = Tensor.causalSelfAttention(query: q2, key: kc, value: vc, heads: heads, keyLength: 150).toArray()
    let ref2 = referenceAttention(q: q2.toArray(), k: kc.toArray(), v: vc.toArray(), b: 1, tq: 70, cap: 160, len: 150, d: d, heads: heads, mask: nil)
    #expect(zip(cached, ref2).allSatisfy { abs($0 - $1) < 1e-5 })
    // Gradients across block boundaries (a subset of positions keeps the check fast).
    let qs = Tensor.randn([1, 70, 4], rng: &rng), ks = Tensor.randn([1, 70, 4], rng: &rng), vs = Tensor.randn([1, 70, 4], rng: &rng)
    checkGradients([qs, ks, vs], h: 3e-3) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2, keyMask: Array(mask.prefix(70)))
    }
}

@Test func wideHeadsUseSeveralTilesPerQueryBlock() {
    // With 64-wide heads a full 64-query block gets 64-key tiles, so 130 positions exercise
    // multi-tile accumulation in P·V, dQ and dK.
    var rng = SeededRNG(seed: 34)
    let (t, d, heads) = (130, 128, 2)
    let q = Tensor.randn([1, t, d], std: 0.3, rng: &rng), k = Tensor.randn([1, t, d], std: 0.3, rng: &rng), v = Tensor.randn([1, t, d], rng: &rng)
    var mask = [Bool](repeating: true, count: t)
    mask[3] = false; mask[100] = false
    let out = Tensor.causalSelfAttention(query: q, key: k, value: v, heads: heads, keyMask: mask).toArray()
    let ref = referenceAttention(q: q.toArray(), k: k.toArray(), v: v.toArray(), b: 1, tq: t, cap: t, len: t, d: d, heads: heads, mask: mask)
    #expect(zip(out, ref).allSatisfy { abs($0 - $1) < 1e-5 })
    checkGradients([q, k, v], h: 3e-3, elementStride: 41) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, keyMask: mask)
    }
    // One 128-wide head: 32-query blocks.
    let wide = Tensor.causalSelfAttention(query: q, key: k, value: v, heads: 1, keyMask: mask).toArray()
    let wideRef = referenceAttention(q: q.toArray(), k: k.toArray(), v: v.toArray(), b: 1, tq: t, cap: t, len: t, d: d, heads: 1, mask: mask)
    #expect(zip(wide, wideRef).allSatisfy { abs($0 - $1) < 1e-5 })
    checkGradients([q, k, v], h: 3e-3, elementStride: 53) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: 1, keyMask: mask)
    }
}

@Test func singleKeyTilesAndSingleQueryStepsHaveGradients() {
    // 64 queries after one earlier key: the last key tile holds one key, so dV and dK take the
    // one-row (sgemv) path with a strided, transposed operand; a lone query takes it forward.
    var rng = SeededRNG(seed: 35)
    let q = Tensor.randn([1, 64, 64], std: 0.3, rng: &rng)
    let k = Tensor.randn([1, 65, 64], std: 0.3, rng: &rng), v = Tensor.randn([1, 65, 64], rng: &rng)
    checkGradients([q, k, v], h: 3e-3, elementStride: 29) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: 1)
    }
    let q1 = Tensor.randn([1, 1, 64], std: 0.3, rng: &rng)
    checkGradients([q1, k, v], h: 3e-3, elementStride: 7) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: 2)
    }
}

/// `[rows, kvHeads·dh]` with each head copied to `groups` consecutive heads.
private func repeatedHeads(_ x: [Float], kvHeads: Int, groups: Int, dh: Int) -> [Float] {
    var out: [Float] = []
    for row in stride(from: 0, to: x.count, by: kvHeads * dh) {
        for h in 0..<(kvHeads * groups) {
            let start = row + (h / groups) * dh
            out += x[start..<(start + dh)]
        }
    }
    return out
}

/// Grouped-query attention reads key/value head h / groups for query head h in place: the
/// output is attention over keys and values repeated to every head, and the gradients match
/// finite differences (a group's heads add into the same dK and dV).
@Test func groupedKeyValueHeadsActAsRepeatedOnes() {
    var rng = SeededRNG(seed: 33)
    let (b, t, heads, groups, dh) = (2, 5, 6, 3, 4)
    let d = heads * dh, kvHeads = heads / groups
    let q = Tensor.randn([b, t, d], rng: &rng)
    let k = Tensor.randn([b, t, d / groups], rng: &rng), v = Tensor.randn([b, t, d / groups], rng: &rng)
    let mask = [true, true, true, true, true, false, false, true, true, true]
    let out = Tensor.causalSelfAttention(query: q, key: k, value: v, heads: heads, groups: groups, keyMask: mask).toArray()
    let ref = referenceAttention(q: q.toArray(), k: repeatedHeads(k.toArray(), kvHeads: kvHeads, groups: groups, dh: dh),
                                 v: repeatedHeads(v.toArray(), kvHeads: kvHeads, groups: groups, dh: dh),
                                 b: b, tq: t, cap: t, len: t, d: d, heads: heads, mask: mask)
    for (a, r) in zip(out, ref) { #expect(abs(a - r) < 1e-5) }
    checkGradients([q, k, v], h: 3e-3) {
        Tensor.causalSelfAttention(query: $0[0], key: $0[1], value: $0[2], heads: heads, groups: groups, keyMask: mask)
    }
    // One decoding step against a cache of capacity 7 holding 5 positions.
    let kc = Tensor.randn([b, 7, d / groups], rng: &rng), vc = Tensor.randn([b, 7, d / groups], rng: &rng)
    let q1 = Tensor.randn([b, 1, d], rng: &rng)
    let step = Tensor.causalSelfAttention(query: q1, key: kc, value: vc, heads: heads, groups: groups, keyLength: 5).toArray()
    let ref1 = referenceAttention(q: q1.toArray(), k: repeatedHeads(kc.toArray(), kvHeads: kvHeads, groups: groups, dh: dh),
                                  v: repeatedHeads(vc.toArray(), kvHeads: kvHeads, groups: groups, dh: dh),
                                  b: b, tq: 1, cap: 7, len: 5, d: d, heads: heads, mask: nil)
    for (a, r) in zip(step, ref1) { #expect(abs(a - r) < 1e-5) }
}
