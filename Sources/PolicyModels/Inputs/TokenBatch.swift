/// A batch of token sequences padded to one length, with what the model needs to read it:
/// which positions are real (the attention key mask) and each token's position id.
public struct TokenBatch: Sendable, Equatable {
    /// Token ids, `batchSize × length`, row-major; padding holds `padID`.
    public let ids: [Int]
    /// Number of sequences.
    public let batchSize: Int
    /// Padded length of every row.
    public let length: Int
    /// True where a real token sits (`batchSize × length`).
    public let mask: [Bool]
    /// Position id of each token (0 for padding).
    public let positions: [Int]
    /// Unpadded length of each row.
    public let lengths: [Int]
    /// Where each row's first real token sits (0 for right padding).
    public let starts: [Int]

    /// Rows packed from the left, padding at the end: positions 0, 1, … for every row. The
    /// layout for training and scoring.
    public static func rightPadded(_ sequences: [[Int]], padID: Int = 0) -> TokenBatch {
        let length = sequences.map(\.count).max() ?? 0
        var ids: [Int] = [], mask: [Bool] = [], positions: [Int] = []
        ids.reserveCapacity(sequences.count * length)
        for s in sequences {
            for t in 0..<length {
                let real = t < s.count
                ids.append(real ? s[t] : padID)
                mask.append(real)
                positions.append(real ? t : 0)
            }
        }
        return TokenBatch(ids: ids, batchSize: sequences.count, length: length, mask: mask,
                          positions: positions, lengths: sequences.map(\.count),
                          starts: [Int](repeating: 0, count: sequences.count))
    }

    /// Rows aligned at the end, padding in front: every row's last token is at the same index,
    /// so generation appends one column for all rows at once. Positions count from each row's
    /// first real token, so a row's logits do not depend on how much padding it has.
    public static func leftPadded(_ sequences: [[Int]], padID: Int = 0) -> TokenBatch {
        let length = sequences.map(\.count).max() ?? 0
        var ids: [Int] = [], mask: [Bool] = [], positions: [Int] = []
        ids.reserveCapacity(sequences.count * length)
        for s in sequences {
            let pad = length - s.count
            for t in 0..<length {
                let real = t >= pad
                ids.append(real ? s[t - pad] : padID)
                mask.append(real)
                positions.append(real ? t - pad : 0)
            }
        }
        return TokenBatch(ids: ids, batchSize: sequences.count, length: length, mask: mask,
                          positions: positions, lengths: sequences.map(\.count),
                          starts: sequences.map { length - $0.count })
    }

    /// Whether some row has padding (otherwise the key mask can be left out).
    public var hasPadding: Bool { lengths.contains { $0 != length } }
}
