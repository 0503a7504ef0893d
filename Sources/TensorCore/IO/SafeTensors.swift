import Foundation

/// The safetensors checkpoint format (huggingface/safetensors): an 8-byte little-endian header
/// length N, N bytes of JSON mapping each tensor name to {dtype, shape, data_offsets} (plus an
/// optional "__metadata__" string map), then the raw little-endian tensor bytes.
public enum SafeTensors {
    /// The tensors and metadata of one file.
    public struct File {
        /// Every tensor, converted to Float32.
        public let tensors: [String: Tensor]
        /// The "__metadata__" map (empty when absent).
        public let metadata: [String: String]
        /// The path the file was read from (for error messages).
        public let path: String

        /// The tensor called `name`, or an error that names the file.
        public func tensor(_ name: String) throws(TensorError) -> Tensor {
            guard let t = tensors[name] else { throw .missingTensor(path: path, name: name) }
            return t
        }
    }

    /// Reads a safetensors file. F32, F16 and BF16 tensors are converted to Float32; other
    /// dtypes are an error naming the tensor.
    public static func load(path: String) throws(TensorError) -> File {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, path: path)
    }

    /// Parses safetensors bytes (`path` only labels errors).
    public static func parse(_ data: Data, path: String = "<memory>") throws(TensorError) -> File {
        func bad(_ detail: String) -> TensorError { .malformedSafeTensors(path: path, detail: detail) }
        guard data.count >= 8 else { throw bad("\(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { raw in UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw bad("header length \(headerLength) exceeds the file size \(data.count)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd))
        } catch {
            throw bad("header is not JSON: \(error.localizedDescription)")
        }
        guard let header = json as? [String: Any] else { throw bad("header is not a JSON object") }
        let dataSize = data.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw bad("__metadata__[\(k)] is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any], let offsetValues = entry["data_offsets"] as? [Any]
            else { throw bad("tensor '\(name)' lacks dtype, shape or data_offsets") }
            let shape = try shapeValues.map { (v: Any) throws(TensorError) -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else { throw bad("tensor '\(name)' has a non-integer shape") }
                return n
            }
            let offsets = try offsetValues.map { (v: Any) throws(TensorError) -> Int in
                guard let n = (v as? NSNumber)?.intValue, n >= 0 else { throw bad("tensor '\(name)' has a non-integer data offset") }
                return n
            }
            guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
                throw bad("tensor '\(name)' has data_offsets \(offsets) outside the \(dataSize)-byte data section")
            }
            let elementSize: Int
            switch dtype {
            case "F32": elementSize = 4
            case "F16", "BF16": elementSize = 2
            default: throw .unsupportedDType(path: path, tensor: name, dtype: dtype)
            }
            let n = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == n * elementSize else {
                throw bad("tensor '\(name)' is \(dtype) \(shape) (\(n * elementSize) bytes) but spans \(offsets[1] - offsets[0]) bytes")
            }
            let t = Tensor.zeros(shape)
            let dst = t.pointer
            data.withUnsafeBytes { raw in
                let src = raw.baseAddress! + headerEnd + offsets[0]
                switch dtype {
                case "F32":
                    for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case "F16":
                    for i in 0..<n { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
                default:  // BF16: the top half of a Float32.
                    for i in 0..<n { dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
                }
            }
            tensors[name] = t
        }
        return File(tensors: tensors, metadata: metadata, path: path)
    }

    /// The bytes of a safetensors file holding `tensors` as F32 (names sorted, data in name
    /// order, header padded with spaces to a multiple of 8 as the Python writer does).
    public static func serialize(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
        let names = tensors.keys.sorted()
        var entries: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let bytes = t.count * 4
            entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            let t = tensors[name]!
            var le = [UInt32](repeating: 0, count: t.count)
            for i in 0..<t.count { le[i] = t.pointer[i].bitPattern.littleEndian }
            le.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        return data
    }

    /// Writes `tensors` (as F32) and `metadata` to a safetensors file at `path`, atomically.
    public static func save(_ tensors: [String: Tensor], metadata: [String: String] = [:], path: String) throws(TensorError) {
        do {
            try serialize(tensors, metadata: metadata).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// IEEE 754 binary16 → binary32, including subnormals, infinities and NaN.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = Int((h >> 10) & 0x1F)
    let mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    if exponent == 0 {
        // Subnormal (or zero): mantissa · 2^-24.
        let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -magnitude : magnitude
    }
    return Float(bitPattern: sign | (UInt32(exponent - 15 + 127) << 23) | (mantissa << 13))
}

/// A JSON string literal for `s`.
private func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
