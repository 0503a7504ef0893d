/// An n-dimensional array of Float32 in contiguous row-major storage, with an optional place in
/// the autograd graph.
///
/// A `Tensor` is a reference type: the result of an op remembers the tensors it came from (its
/// parents) and a closure that pushes its gradient back to them. Views (`reshaped`, `detached`,
/// and leading-axis `slice`s) share storage with their source. A tensor is not safe to mutate
/// from two threads at once; reading one from several threads is fine. It is marked
/// `@unchecked Sendable` so models can be handed to a task that owns them.
public final class Tensor: @unchecked Sendable {
    /// The size of each axis, outermost first.
    public let shape: [Int]
    /// The number of elements (product of `shape`; 1 for a scalar of shape `[]`).
    public let count: Int
    let storage: Storage
    let offset: Int
    /// Whether gradients flow into this tensor. Set it on leaves (parameters); op results get it
    /// from their inputs when grad mode is on.
    public var requiresGrad: Bool
    var gradStorage: Storage?
    var node: Node?

    init(storage: Storage, offset: Int = 0, shape: [Int], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative axis size in shape \(shape)")
        precondition(offset + n <= storage.count || n == 0, "Tensor: view \(shape) at \(offset) exceeds storage of \(storage.count)")
        self.shape = shape
        self.count = n
        self.storage = storage
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// An uninitialised tensor; every element must be written before it is read.
    static func uninitialized(_ shape: [Int]) -> Tensor {
        Tensor(storage: Storage(count: shape.reduce(1, *), zeroed: false), shape: shape)
    }

    /// A tensor holding `data` (row-major) with the given shape.
    public convenience init(shape: [Int], data: [Float], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(data.count == n, "Tensor(shape: \(shape)) needs \(n) values, got \(data.count)")
        let storage = Storage(count: n, zeroed: false)
        data.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: n) }
        self.init(storage: storage, shape: shape, requiresGrad: requiresGrad)
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], data: [scalar], requiresGrad: requiresGrad)
    }

    /// All zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(storage: Storage(count: shape.reduce(1, *), zeroed: true), shape: shape, requiresGrad: requiresGrad)
    }

    /// Every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        let t = uninitialized(shape)
        t.pointer.initialize(repeating: value, count: t.count)
        t.requiresGrad = requiresGrad
        return t
    }

    /// All ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    /// Normal samples with mean `mean` and standard deviation `std`, drawn from `rng`.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, rng: inout SeededRNG,
                             requiresGrad: Bool = false) -> Tensor {
        let t = uninitialized(shape)
        let p = t.pointer
        for i in 0..<t.count { p[i] = mean + std * rng.nextGaussian() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform samples in [low, high), drawn from `rng`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, rng: inout SeededRNG,
                               requiresGrad: Bool = false) -> Tensor {
        let t = uninitialized(shape)
        let p = t.pointer
        for i in 0..<t.count { p[i] = low + (high - low) * rng.nextFloat() }
        t.requiresGrad = requiresGrad
        return t
    }

    /// The first element's address (storage is contiguous from here for `count` floats).
    var pointer: UnsafeMutablePointer<Float> { storage.base + offset }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, shape is \(shape)")
        return pointer[0]
    }

    /// The elements, row-major.
    public func toArray() -> [Float] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Reads the elements in place (row-major, contiguous).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Writes the elements in place. This bypasses autograd: use it for initialisation, loading
    /// weights, KV caches and optimizer updates, never on a tensor whose graph is still needed.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: pointer, count: count))
    }

    /// Copies the values of `source` (same element count) into this tensor, outside autograd.
    public func copyValues(from source: Tensor) {
        precondition(source.count == count, "copyValues: \(source.shape) into \(shape) differ in element count")
        pointer.update(from: source.pointer, count: count)
    }

    /// The accumulated gradient (same shape), or nil when none has been computed since the last
    /// `zeroGrad()`. The returned tensor shares the gradient buffer.
    public var grad: Tensor? {
        gradStorage.map { Tensor(storage: $0, shape: shape) }
    }

    /// Drops the accumulated gradient.
    public func zeroGrad() { gradStorage = nil }

    /// The gradient buffer, created zero-filled on first use.
    func gradPointer() -> UnsafeMutablePointer<Float> {
        if let g = gradStorage { return g.base }
        let g = Storage(count: count, zeroed: true)
        gradStorage = g
        return g.base
    }

    /// Adds an op output's gradient (same element count) into this tensor's gradient. When this
    /// tensor has none yet, it takes over the output's buffer instead of copying: the backward
    /// pass drops the output's gradient right after its op, so the buffer has a single owner.
    /// Call it last in a backward closure (after every other use of the output's gradient).
    func takeOrAccumulateGrad(from out: Tensor) {
        precondition(out.count == count, "takeOrAccumulateGrad: \(out.shape) vs \(shape)")
        if gradStorage == nil, let g = out.gradStorage, g.count == count {
            gradStorage = g
            out.gradStorage = nil
        } else {
            addInPlace(gradPointer(), out.gradPointer(), count)
        }
    }

    /// A tensor sharing this one's values but outside the graph (no gradient flows through it).
    public func detached() -> Tensor {
        Tensor(storage: storage, offset: offset, shape: shape)
    }

    /// A copy with its own storage, outside the graph.
    public func clone() -> Tensor {
        let t = Tensor.uninitialized(shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = UnsafeBufferPointer(start: pointer, count: Swift.min(count, 8)).map { "\($0)" }
        return "Tensor(shape: \(shape), values: [\(shown.joined(separator: ", "))\(count > 8 ? ", …" : "")]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
