#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

/// One tensor's entry in a GGUF file's tensor-info table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml's dimensions, innermost first (`ne[0]` is the contiguous one): a PyTorch
    /// `[out, in]` weight is stored as `[in, out]`.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset from the start of the data section.
    public let offset: Int

    public var elementCount: Int { dimensions.reduce(1, *) }
    /// The row-major (PyTorch order) shape: the dimensions reversed.
    public var shape: [Int] { dimensions.reversed() }
}

/// A GGUF file (ggml's model format, version 2 or 3), memory-mapped read-only: the header,
/// the metadata key/values, the tensor-info table and the aligned data section. Tensor bytes
/// stay in the mapping until `tensor(_:)` dequantises one into a Float32 `Tensor`, or
/// `rawBytes(_:)` hands out the quantised bytes themselves.
///
/// Layout (little-endian): magic `GGUF`, u32 version, u64 tensor count, u64 key/value count,
/// key/values (u64-length string key, u32 type, value), tensor infos (name, u32 rank, u64
/// dims, u32 ggml type, u64 offset), padding to `general.alignment` (default 32), data.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: Int
    /// Metadata in file order.
    public let metadataKeys: [String]
    public let metadata: [String: GGUFValue]
    public let tensorInfos: [GGUFTensorInfo]
    public let alignment: Int
    /// Byte offset of the data section from the start of the file.
    public let dataOffset: Int
    private let tensorIndex: [String: Int]
    private let base: UnsafeRawPointer
    private let size: Int

    /// Maps and parses the file at `path`. Throws on a file that is not GGUF, is truncated,
    /// or holds tensors outside the file; the tensor types are checked only when read.
    public init(path: String) throws(PolicyModelsError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(errno))) }
        size = Int(st.st_size)
        guard size >= 24 else { throw .malformedFile(path: path, field: "header", reason: "is truncated (\(size) bytes); not a GGUF file") }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .fileUnreadable(path: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(mapped)
        do {
            var reader = GGUFByteReader(base: base, size: size, path: path)
            guard try reader.bytes(4) == Array("GGUF".utf8) else {
                throw PolicyModelsError.malformedFile(path: path, field: "magic", reason: "is not 'GGUF'; not a GGUF model file")
            }
            version = Int(try reader.u32())
            guard version == 2 || version == 3 else {
                throw PolicyModelsError.unsupported(path: path, field: "GGUF version", value: "\(version) (TurnRL reads versions 2 and 3)")
            }
            let tensorCount = try reader.count()
            let kvCount = try reader.count()
            var keys: [String] = [], values: [String: GGUFValue] = [:]
            for _ in 0..<kvCount {
                let key = try reader.string()
                let type = try reader.u32()
                values[key] = try reader.value(type: type, key: key)
                keys.append(key)
            }
            var infos: [GGUFTensorInfo] = []
            for _ in 0..<tensorCount {
                let name = try reader.string()
                let rank = Int(try reader.u32())
                guard rank <= 4 else { throw PolicyModelsError.malformedFile(path: path, field: "tensor \(name)", reason: "has \(rank) dimensions (ggml allows at most 4)") }
                var dims: [Int] = []
                for _ in 0..<rank { dims.append(try reader.count()) }
                let rawType = try reader.u32()
                guard let type = GGMLType(rawValue: rawType) else {
                    throw PolicyModelsError.unsupported(path: path, field: "tensor \(name) type", value: "ggml type id \(rawType) (unknown)")
                }
                infos.append(GGUFTensorInfo(name: name, dimensions: dims, type: type, offset: try reader.count()))
            }
            alignment = values["general.alignment"]?.intValue ?? 32
            guard alignment > 0 else { throw PolicyModelsError.malformedFile(path: path, field: "general.alignment", reason: "is \(alignment); it must be positive") }
            dataOffset = (reader.offset + alignment - 1) / alignment * alignment
            for info in infos {
                guard info.offset % alignment == 0 else {
                    throw PolicyModelsError.malformedFile(path: path, field: "tensor \(info.name)", reason: "starts at offset \(info.offset), not a multiple of the alignment \(alignment)")
                }
                if let bytes = info.type.byteCount(elements: info.elementCount), dataOffset + info.offset + bytes > size {
                    throw PolicyModelsError.malformedFile(path: path, field: "tensor \(info.name)", reason: "runs past the end of the file (truncated download?)")
                }
            }
            metadataKeys = keys
            metadata = values
            tensorInfos = infos
            tensorIndex = Dictionary(infos.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        } catch let error as PolicyModelsError {
            munmap(mapped, size)
            throw error
        } catch {
            munmap(mapped, size)
            throw .fileUnreadable(path: path, reason: "\(error)")
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    /// The tensor info named `name`, if the file has it.
    public func info(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensorInfos[$0] }
    }

    /// The quantised bytes of a tensor, straight from the mapping (valid while `self` lives).
    public func rawBytes(_ name: String) throws(PolicyModelsError) -> (info: GGUFTensorInfo, bytes: UnsafeRawBufferPointer) {
        let info = try readableInfo(name)
        let count = info.type.byteCount(elements: info.elementCount)!
        return (info, UnsafeRawBufferPointer(start: base + dataOffset + info.offset, count: count))
    }

    /// Dequantises a tensor into a new Float32 tensor of its row-major shape (`info.shape`).
    public func tensor(_ name: String, requiresGrad: Bool = false) throws(PolicyModelsError) -> Tensor {
        let (info, bytes) = try rawBytes(name)
        let t = Tensor.zeros(info.shape, requiresGrad: requiresGrad)
        t.withUnsafeMutableBufferPointer { out in
            Dequantize.run(info.type, source: bytes.baseAddress!, count: info.elementCount, into: out.baseAddress!)
        }
        return t
    }

    private func readableInfo(_ name: String) throws(PolicyModelsError) -> GGUFTensorInfo {
        guard let info = info(name) else {
            throw .malformedFile(path: path, field: "tensor \(name)", reason: "is missing (the file has \(tensorInfos.count) tensors)")
        }
        guard info.type.isReadable, let layout = info.type.blockLayout else {
            throw .unsupported(path: path, field: "tensor \(name) type", value: "\(info.type.name) (TurnRL dequantises F32, F16, Q8_0, Q4_0 and Q4_1; re-quantise the model to one of these)")
        }
        guard info.elementCount % layout.elements == 0 else {
            throw .malformedFile(path: path, field: "tensor \(name)", reason: "has \(info.elementCount) elements, not a whole number of \(layout.elements)-element \(info.type.name) blocks")
        }
        return info
    }

    // MARK: typed metadata access

    /// A required metadata value; throws naming the key when it is missing.
    public func value(_ key: String) throws(PolicyModelsError) -> GGUFValue {
        guard let v = metadata[key] else { throw .malformedFile(path: path, field: key, reason: "is missing from the GGUF metadata") }
        return v
    }

    public func int(_ key: String) throws(PolicyModelsError) -> Int {
        guard let v = try value(key).intValue else { throw .malformedFile(path: path, field: key, reason: "is not an integer") }
        return v
    }

    public func double(_ key: String) throws(PolicyModelsError) -> Double {
        guard let v = try value(key).doubleValue else { throw .malformedFile(path: path, field: key, reason: "is not a number") }
        return v
    }

    public func string(_ key: String) throws(PolicyModelsError) -> String {
        guard let v = try value(key).stringValue else { throw .malformedFile(path: path, field: key, reason: "is not a string") }
        return v
    }

    /// A required array of strings (e.g. `tokenizer.ggml.tokens`).
    public func strings(_ key: String) throws(PolicyModelsError) -> [String] {
        guard let a = try value(key).arrayValue else { throw .malformedFile(path: path, field: key, reason: "is not an array") }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard let s = v.stringValue else { throw .malformedFile(path: path, field: key, reason: "holds a non-string entry") }
            out.append(s)
        }
        return out
    }
}

/// A bounds-checked little-endian cursor over the mapped header.
struct GGUFByteReader {
    let base: UnsafeRawPointer
    let size: Int
    let path: String
    var offset = 0

    private func need(_ n: Int) throws(PolicyModelsError) {
        guard n >= 0, offset + n <= size else {
            throw .malformedFile(path: path, field: "header", reason: "ends early at byte \(offset) (truncated file?)")
        }
    }

    mutating func bytes(_ n: Int) throws(PolicyModelsError) -> [UInt8] {
        try need(n)
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(start: base + offset, count: n))
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type) throws(PolicyModelsError) -> T {
        try need(MemoryLayout<T>.size)
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: (base + offset).loadUnaligned(as: T.self))
    }

    mutating func u32() throws(PolicyModelsError) -> UInt32 { try load(UInt32.self) }

    /// A u64 count or size that must fit the file.
    mutating func count() throws(PolicyModelsError) -> Int {
        let v = try load(UInt64.self)
        guard v <= UInt64(Int32.max) * 1024 else {
            throw .malformedFile(path: path, field: "header", reason: "has an implausible count \(v) at byte \(offset - 8)")
        }
        return Int(v)
    }

    mutating func string() throws(PolicyModelsError) -> String {
        let n = try count()
        try need(n)
        defer { offset += n }
        return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
    }

    /// A metadata value of GGUF value type `type` (0 u8 … 12 f64; 8 string, 9 array).
    mutating func value(type: UInt32, key: String) throws(PolicyModelsError) -> GGUFValue {
        switch type {
        case 0: return .uint(UInt64(try load(UInt8.self)))
        case 1: return .int(Int64(try load(Int8.self)))
        case 2: return .uint(UInt64(try load(UInt16.self)))
        case 3: return .int(Int64(try load(Int16.self)))
        case 4: return .uint(UInt64(try load(UInt32.self)))
        case 5: return .int(Int64(try load(Int32.self)))
        case 6: return .float(Double(Float(bitPattern: try load(UInt32.self))))
        case 7: return .bool(try load(UInt8.self) != 0)
        case 8: return .string(try string())
        case 9:
            let elementType = try u32()
            let n = try count()
            guard elementType != 9 || n < 1 << 20 else { throw .malformedFile(path: path, field: key, reason: "nests too deeply") }
            var items: [GGUFValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try value(type: elementType, key: key)) }
            return .array(items)
        case 10: return .uint(try load(UInt64.self))
        case 11: return .int(try load(Int64.self))
        case 12: return .float(Double(bitPattern: try load(UInt64.self)))
        default: throw .malformedFile(path: path, field: key, reason: "has unknown value type \(type)")
        }
    }
}
