import Foundation

/// A term's posting list with precomputed BM25 contributions ("impacts"), stored as one blob:
/// `documents` little-endian Int32 rowids (ascending), then as many Float32 scores.
///
/// Why: SQLite's `ORDER BY bm25()` costs ~1.5 µs per matching row (it looks up each row's
/// length and phrase instances), so a query with a word in a quarter of the passages took
/// 20–60 ms (`turnrl bench search` measures it). BM25 is a sum over terms of a per-(term,
/// passage) value, so that value is computed once at build time, with FTS5's exact formula,
/// and a query only adds up a few arrays — the "eager" scoring bm25s uses.
struct ImpactList {
    var rowids: [Int32]
    var scores: [Float]

    /// The BM25 contribution of a term to one passage, as SQLite's bm25() computes it.
    static func impact(weightedFrequency: Double, length: Double, averageLength: Double, idf: Double) -> Double {
        let k1 = RankingConfig.k1, b = RankingConfig.b
        return idf * weightedFrequency * (k1 + 1) / (weightedFrequency + k1 * (1 - b + b * length / averageLength))
    }

    /// SQLite's IDF: ln((N − n + 0.5)/(n + 0.5)), clamped to 1e-6 when it is not positive.
    static func idf(passages: Int, documents: Int) -> Double {
        let value = log((Double(passages) - Double(documents) + 0.5) / (Double(documents) + 0.5))
        return value > 0 ? value : 1e-6
    }

    func encoded() -> Data {
        var data = Data(capacity: rowids.count * 8)
        for rowid in rowids { withUnsafeBytes(of: rowid.littleEndian) { data.append(contentsOf: $0) } }
        for score in scores { withUnsafeBytes(of: score.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

}

/// Per-passage score sums for one query, reused across queries (cleared row by row, so a
/// query costs its postings, not the corpus size).
struct ScoreAccumulator {
    private(set) var scores: [Float]
    private var seen: [Bool]
    private(set) var touched: [Int] = []

    init(rows: Int) {
        scores = Array(repeating: 0, count: rows + 1)
        seen = Array(repeating: false, count: rows + 1)
    }

    /// Adds an impact list blob (`count` Int32 rowids, then `count` Float32 scores, little-endian)
    /// to the sums. The hot loop of every query: unchecked buffers, no per-posting calls.
    mutating func add(postings blob: UnsafeRawBufferPointer, count: Int) {
        guard count > 0, blob.count >= count * 8 else { return }
        let rows = scores.count
        scores.withUnsafeMutableBufferPointer { scores in
            seen.withUnsafeMutableBufferPointer { seen in
                for i in 0..<count {
                    let row = Int(Int32(littleEndian: blob.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self)))
                    let bits = UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: (count &+ i) &* 4, as: UInt32.self))
                    guard row > 0, row < rows else { continue }
                    if !seen[row] {
                        seen[row] = true
                        touched.append(row)
                    }
                    scores[row] += Float(bitPattern: bits)
                }
            }
        }
    }

    /// The `k` best rows, best first; ties go to the lower rowid (earlier in build order).
    func top(_ k: Int) -> [(row: Int, score: Float)] {
        var best: [(row: Int, score: Float)] = []
        best.reserveCapacity(k + 1)
        func better(_ a: (row: Int, score: Float), _ b: (row: Int, score: Float)) -> Bool {
            a.score != b.score ? a.score > b.score : a.row < b.row
        }
        for row in touched {
            let candidate = (row: row, score: scores[row])
            if best.count == k, let last = best.last, !better(candidate, last) { continue }
            let position = best.firstIndex { better(candidate, $0) } ?? best.count
            best.insert(candidate, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    mutating func clear() {
        for row in touched {
            scores[row] = 0
            seen[row] = false
        }
        touched.removeAll(keepingCapacity: true)
    }
}
