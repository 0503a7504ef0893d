/// Saving and restoring AdamW's state (moments and step count) as a safetensors file, so a
/// resumed training run continues with the same updates an uninterrupted one would make.
///
/// Layout: for every parameter that has been updated, `NAME.exp_avg` (m) and `NAME.exp_avg_sq`
/// (v) — PyTorch's state names — shaped like the parameter; the step count in the metadata under
/// `step`. Keys are the parameters' names (a model's `namedParameters`), not their positions, so
/// a file stays valid when a model lists its tensors in another order.
extension AdamW {
    static let firstMomentSuffix = ".exp_avg"
    static let secondMomentSuffix = ".exp_avg_sq"

    /// Writes the state to `path`. `names` must name every parameter of the optimizer (extra
    /// entries are ignored); the moments are copied out as they are now.
    public func saveState(path: String, names: [(name: String, tensor: Tensor)]) throws(TensorError) {
        var tensors: [String: Tensor] = [:]
        for (name, p) in named(names) {
            guard let state = moments[ObjectIdentifier(p)] else { continue }
            tensors[name + Self.firstMomentSuffix] = Tensor(storage: state.m, shape: p.shape)
            tensors[name + Self.secondMomentSuffix] = Tensor(storage: state.v, shape: p.shape)
        }
        try SafeTensors.save(tensors, metadata: ["step": String(stepCount)], path: path)
    }

    /// Replaces the state with what `saveState` wrote to `path` for parameters of the same names
    /// and sizes. A parameter without moments in the file has none afterwards (as before its
    /// first update); moments of a name this optimizer does not train are an error, since the file
    /// then belongs to another model.
    public func loadState(path: String, names: [(name: String, tensor: Tensor)]) throws(TensorError) {
        func bad(_ detail: String) -> TensorError { .malformedSafeTensors(path: path, detail: detail) }
        let file = try SafeTensors.load(path: path)
        guard let step = file.metadata["step"].flatMap({ Int($0) }), step >= 0 else {
            throw bad("no AdamW step count (metadata 'step'); was it written by AdamW.saveState?")
        }
        var restored: [ObjectIdentifier: (m: Storage, v: Storage)] = [:]
        var used = Set<String>()
        for (name, p) in named(names) {
            let m = file.tensors[name + Self.firstMomentSuffix], v = file.tensors[name + Self.secondMomentSuffix]
            guard let m, let v else {
                if m != nil || v != nil { throw bad("'\(name)' has only one of its two AdamW moments") }
                continue
            }
            guard m.count == p.count, v.count == p.count else {
                throw bad("moments of '\(name)' hold \(m.count) values, the parameter \(p.count)")
            }
            restored[ObjectIdentifier(p)] = (copiedStorage(m), copiedStorage(v))
            used.formUnion([name + Self.firstMomentSuffix, name + Self.secondMomentSuffix])
        }
        if let stray = file.tensors.keys.sorted().first(where: { !used.contains($0) }) {
            throw bad("'\(stray)' is not the moment of a parameter this optimizer trains")
        }
        moments = restored
        stepCount = step
    }

    /// The optimizer's parameters paired with their names from `names`, in update order.
    private func named(_ names: [(name: String, tensor: Tensor)]) -> [(String, Tensor)] {
        var byIdentity: [ObjectIdentifier: String] = [:]
        for (name, t) in names { byIdentity[ObjectIdentifier(t)] = name }
        return parameters.map { p in
            guard let name = byIdentity[ObjectIdentifier(p)] else {
                preconditionFailure("AdamW state: a parameter of shape \(p.shape) has no name in the list given")
            }
            return (name, p)
        }
    }
}

/// A fresh storage holding a copy of `t`'s values.
private func copiedStorage(_ t: Tensor) -> Storage {
    let storage = Storage(count: t.count, zeroed: false)
    storage.base.update(from: t.pointer, count: t.count)
    return storage
}
