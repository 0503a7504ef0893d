import TensorCore

/// Keys and values of one layer for every row and cached position, `[B, capacity, width]` each
/// (GPT-2: the model width; Llama: the width of its key/value heads).
final class LayerCache: @unchecked Sendable {
    let keys: Tensor
    let values: Tensor
    let capacity: Int
    init(batch: Int, capacity: Int, width: Int) {
        self.capacity = capacity
        keys = .zeros([batch, capacity, width])
        values = .zeros([batch, capacity, width])
    }
}
