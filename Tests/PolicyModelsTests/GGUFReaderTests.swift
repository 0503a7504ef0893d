import Foundation
import Testing
@testable import PolicyModels

/// The GGUF reader against a tiny file written by the `gguf` Python package
/// (`Benchmarks/llama_reference.py gguf-fixture`), whose dequantised values it must reproduce.
struct GGUFReaderTests {
    static let folder = FixturePaths.folder.deletingLastPathComponent().appendingPathComponent("Llama")

    struct Expected: Decodable { let shape: [Int]; let values: [Float] }

    @Test func readsHeaderAndMetadata() throws {
        let file = try GGUFFile(path: Self.folder.appendingPathComponent("tiny.gguf").path)
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        #expect(try file.string("general.architecture") == "llama")
        #expect(try file.int("test.answer") == 42)
        #expect(try file.double("test.pi") == 3.25)
        #expect(try file.string("test.name") == "tiny ✓")
        #expect(file.metadata["test.flag"]?.boolValue == true)
        #expect(try file.strings("test.list") == ["a", "bc"])
        #expect(file.tensorInfos.map(\.name) == ["f32", "f16", "q8_0", "q4_0", "q4_1", "q5_0"])
        #expect(file.info("q4_1")?.dimensions == [64, 3])
        #expect(file.info("q4_1")?.shape == [3, 64])
    }

    @Test(arguments: ["f32", "f16", "q8_0", "q4_0", "q4_1"])
    func dequantisesLikeTheGGUFPackage(name: String) throws {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent("tiny-gguf-expected.json"))
        let expected = try JSONDecoder().decode([String: Expected].self, from: data)[name]!
        let file = try GGUFFile(path: Self.folder.appendingPathComponent("tiny.gguf").path)
        let t = try file.tensor(name)
        #expect(t.shape == expected.shape)
        let got = t.toArray()
        let worst = zip(got, expected.values).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6, "\(name): max |difference| \(worst)")
    }

    /// 1 to 16 inputs: one input takes the per-row dot product, more take the AVX-512 tile
    /// product where the CPU has it (3 weight rows: a partial tile of four).
    @Test(arguments: ["q4_1", "q8_0"])
    func quantisedProductEqualsTheDequantisedOne(name: String) throws {
        let file = try GGUFFile(path: Self.folder.appendingPathComponent("tiny.gguf").path)
        let matrix = try #require(try QuantizedMatrix(file: file, name: name))
        let w = try file.tensor(name).toArray()  // [3, 64]
        var rng = SplitMix64(seed: 5)
        for count in 1...16 {
            let x = (0..<(count * 64)).map { _ in Float.random(in: -1...1, using: &rng) }
            var out = [Float](repeating: .nan, count: count * 3)
            matrix.multiply(x, count: count, into: &out)
            for r in 0..<count {
                for o in 0..<3 {
                    let expected = (0..<64).reduce(Float(0)) { $0 + x[r * 64 + $1] * w[o * 64 + $1] }
                    #expect(abs(out[r * 3 + o] - expected) < 1e-4, "\(name), \(count) inputs: row \(r) output \(o)")
                }
            }
        }
        #expect(try QuantizedMatrix(file: file, name: "f32") == nil)
    }

    @Test func refusesOtherTypesByName() throws {
        let file = try GGUFFile(path: Self.folder.appendingPathComponent("tiny.gguf").path)
        #expect(throws: PolicyModelsError.self) { try file.tensor("q5_0") }
        do { _ = try file.tensor("q5_0") } catch {
            #expect(error.description.contains("Q5_0"))
        }
    }

    @Test func refusesNonGGUFAndTruncatedFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("junk.gguf")
        try Data(repeating: 7, count: 100).write(to: junk)
        #expect(throws: PolicyModelsError.self) { try GGUFFile(path: junk.path) }
        let whole = try Data(contentsOf: Self.folder.appendingPathComponent("tiny.gguf"))
        let cut = dir.appendingPathComponent("cut.gguf")
        try whole.prefix(whole.count - 40).write(to: cut)
        #expect(throws: PolicyModelsError.self) { try GGUFFile(path: cut.path) }
        let header = dir.appendingPathComponent("header.gguf")
        try whole.prefix(200).write(to: header)
        #expect(throws: PolicyModelsError.self) { try GGUFFile(path: header.path) }
    }
}
