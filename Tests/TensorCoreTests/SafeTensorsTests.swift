import Foundation
import Testing
@testable import TensorCore

/// The folder of committed fixtures (`Tests/Fixtures/TensorCore`), found from this file's path.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/TensorCore")

/// The tensors of `swift_written.safetensors` (make_fixtures.py checks Python reads them back).
private func swiftWrittenTensors() -> [String: Tensor] {
    [
        "alpha": Tensor(shape: [2, 2], data: [1, -2, 3.5, 0.25]),
        "beta/vector": Tensor(shape: [3], data: [0.1, 0.2, 0.3]),
        "gamma": Tensor(scalar: 7),
    ]
}
private let swiftWrittenMetadata = ["step": "3", "note": "written by TensorCore \"SafeTensors\""]

@Test func writerProducesTheBytesPythonWasCheckedAgainst() throws {
    let bytes = SafeTensors.serialize(swiftWrittenTensors(), metadata: swiftWrittenMetadata)
    let committed = try? Data(contentsOf: fixtures.appendingPathComponent("swift_written.safetensors"))
    if bytes != committed {
        try? bytes.write(to: URL(fileURLWithPath: "/tmp/swift_written.safetensors"))
        Issue.record("SafeTensors.serialize changed its output (new bytes in /tmp/swift_written.safetensors; re-run make_fixtures.py on them before committing)")
    }
    // The header is padded to 8 bytes, as the Python writer does.
    let headerLength = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    #expect(headerLength % 8 == 0)
}

@Test func roundTripKeepsNamesShapesValuesAndMetadata() throws {
    var rng = SeededRNG(seed: 40)
    let tensors = ["a.weight": Tensor.randn([3, 5, 2], rng: &rng), "b": Tensor.randn([7], rng: &rng), "empty": Tensor.zeros([0, 4])]
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tensorcore-\(UInt32.random(in: 0...UInt32.max)).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try SafeTensors.save(tensors, metadata: ["format": "pt"], path: path)
    let file = try SafeTensors.load(path: path)
    #expect(file.metadata == ["format": "pt"])
    #expect(Set(file.tensors.keys) == Set(tensors.keys))
    for (name, t) in tensors {
        let loaded = try file.tensor(name)
        #expect(loaded.shape == t.shape)
        #expect(loaded.toArray() == t.toArray())
    }
    #expect(throws: TensorError.missingTensor(path: path, name: "nope")) { try file.tensor("nope") }
}

@Test func readsTheFileThePythonLibraryWrote() throws {
    let file = try SafeTensors.load(path: fixtures.appendingPathComponent("python_written.safetensors").path)
    #expect(file.metadata == ["format": "np", "made_by": "make_fixtures.py"])
    let w = try file.tensor("weights.f32")
    #expect(w.shape == [2, 3] && w.toArray() == [-1, -0.5, 0, 0.5, 1, 1.5])
    let h = try file.tensor("halves")
    let expected: [Float] = [1, -2.5, 0.000_976_562_5, 5.960_464_5e-8, -0, 65504]
    #expect(h.toArray() == expected)
    #expect(h.toArray()[4].sign == .minus)
    let s = try file.tensor("scalar")
    #expect(s.shape == [] && s.item == 3.25)
}

/// Builds a safetensors buffer by hand with the given header JSON and data bytes.
private func handMade(_ header: String, _ payload: [UInt8]) -> Data {
    var bytes = Array(header.utf8)
    while bytes.count % 8 != 0 { bytes.append(0x20) }
    var data = Data()
    withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: bytes)
    data.append(contentsOf: payload)
    return data
}

@Test func readsBF16AndRejectsMalformedFiles() throws {
    // BF16 is the top 16 bits of a Float32: 1.0 = 0x3F80, -2.0 = 0xC000, 0.15625 = 0x3E20.
    let bf16 = handMade(#"{"x":{"dtype":"BF16","shape":[3],"data_offsets":[0,6]}}"#, [0x80, 0x3F, 0x00, 0xC0, 0x20, 0x3E])
    #expect(try SafeTensors.parse(bf16).tensor("x").toArray() == [1, -2, 0.156_25])
    let wrongSize = handMade(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8))
    #expect(throws: TensorError.self) { try SafeTensors.parse(wrongSize) }
    let outOfBounds = handMade(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, [0, 0, 0, 0])
    #expect(throws: TensorError.self) { try SafeTensors.parse(outOfBounds) }
    let int64 = handMade(#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8))
    #expect(throws: TensorError.unsupportedDType(path: "<memory>", tensor: "x", dtype: "I64")) { try SafeTensors.parse(int64) }
    #expect(throws: TensorError.self) { try SafeTensors.parse(Data([1, 2, 3])) }
    #expect(throws: TensorError.self) { try SafeTensors.parse(handMade("not json", [])) }
}

@Test func halfPrecisionConversionCoversSpecialValues() {
    #expect(halfToFloat(0x3C00) == 1)
    #expect(halfToFloat(0xC000) == -2)
    #expect(halfToFloat(0x0001) == 5.960_464_5e-8)  // smallest subnormal
    #expect(halfToFloat(0x7BFF) == 65504)
    #expect(halfToFloat(0x7C00) == .infinity)
    #expect(halfToFloat(0xFC00) == -.infinity)
    #expect(halfToFloat(0x7E00).isNaN)
}
