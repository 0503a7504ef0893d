import Testing
@testable import TensorCore

@Test func reshapeIsAViewAndKeepsValues() {
    let t = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
    let r = t.reshaped([3, -1])
    #expect(r.shape == [3, 2])
    #expect(r.toArray() == [1, 2, 3, 4, 5, 6])
    #expect(r.storage === t.storage)
}
