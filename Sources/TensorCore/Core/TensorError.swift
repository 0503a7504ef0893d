/// Errors TensorCore reports for data that comes from outside the program (files, user input).
/// Shape mismatches between tensors are programming errors and stop with a precondition instead.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A safetensors file is malformed; `detail` says which field and why.
    case malformedSafeTensors(path: String, detail: String)
    /// A safetensors tensor has a dtype TensorCore cannot convert to Float32.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor was asked for by name and is not in the file.
    case missingTensor(path: String, name: String)

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "\(path): \(reason); check that the path exists and is readable/writable"
        case let .malformedSafeTensors(path, detail):
            return "\(path): not a valid safetensors file (\(detail)); re-export it with the Python safetensors library"
        case let .unsupportedDType(path, tensor, dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype); TensorCore reads F32, F16 and BF16 (convert the checkpoint with torch.to(torch.float32))"
        case let .missingTensor(path, name):
            return "\(path): no tensor named '\(name)'; list the names with `python -c \"import safetensors; print(safetensors.safe_open('\(path)','np').keys())\"`"
        }
    }
}
