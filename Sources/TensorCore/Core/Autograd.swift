/// Reverse-mode autograd by a tape of closures (as in micrograd/tinygrad): every op result that
/// needs a gradient holds a `Node` with its parents and a closure that reads the result's
/// gradient and accumulates into the parents' gradients.

/// Whether ops record the graph. A task-local value, so `noGrad` scopes nest and stay per task.
public enum GradMode {
    /// True unless inside `noGrad { }`.
    @TaskLocal public static var isEnabled: Bool = true
}

/// Runs `body` without recording the graph: results have `requiresGrad == false` and keep no
/// reference to their inputs. Use for generation, evaluation and target computations.
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// `noGrad` for async work (e.g. a rollout that awaits tool calls between forward passes).
public func noGrad<R>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R) async rethrows -> R {
    try await GradMode.$isEnabled.withValue(false, operation: body)
}

/// One recorded op: the inputs it read and how to push the output gradient back to them.
final class Node {
    let parents: [Tensor]
    /// Called with the op's output tensor, whose `gradStorage` holds dL/d(output).
    let backward: (Tensor) -> Void
    /// The op that recorded it (for per-op timings).
    let op: StaticString
    init(parents: [Tensor], op: StaticString, backward: @escaping (Tensor) -> Void) {
        self.parents = parents
        self.op = op
        self.backward = backward
    }
}

extension Tensor {
    /// Wraps `storage` as an op result, recording `backward` when grad mode is on and any input
    /// needs a gradient. The closure must not capture the result (it is passed in instead).
    static func result(_ shape: [Int], _ storage: Storage, offset: Int = 0, inputs: [Tensor], op: StaticString = #function,
                       backward: @escaping (Tensor) -> Void) -> Tensor {
        let t = Tensor(storage: storage, offset: offset, shape: shape)
        if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            t.requiresGrad = true
            t.node = Node(parents: inputs, op: op, backward: backward)
        }
        return t
    }

    /// Whether an op must compute this input's gradient.
    @inline(__always) var needsGrad: Bool { requiresGrad }

    /// Back-propagates from this tensor. Without `gradient` the tensor must hold one element and
    /// its gradient is 1. Gradients accumulate into every leaf with `requiresGrad` (call
    /// `zeroGrad()` / the optimizer's `zeroGrad()` between steps); the graph below this tensor is
    /// released, so each graph can be back-propagated once.
    public func backward(gradient: Tensor? = nil) {
        var timings: [String: Double]?
        backward(gradient: gradient, timings: &timings)
    }

    /// `backward(gradient:)` that also adds each op's backward time (seconds) into `timings`
    /// when it is non-nil (the benchmark's per-op breakdown).
    func backward(gradient: Tensor?, timings: inout [String: Double]?) {
        precondition(requiresGrad, "backward: this tensor does not require grad (built under noGrad, or from inputs without requiresGrad)")
        if let gradient {
            precondition(gradient.count == count, "backward: gradient \(gradient.shape) does not match \(shape)")
            addInPlace(gradPointer(), gradient.pointer, count)
        } else {
            precondition(count == 1, "backward() without a gradient needs a one-element tensor, shape is \(shape)")
            gradPointer()[0] += 1
        }
        // Topological order by an iterative post-order DFS (graphs are deep: no recursion).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (t, i) = stack.popLast() {
            if let node = t.node, i < node.parents.count {
                stack.append((t, i + 1))
                let p = node.parents[i]
                if p.requiresGrad, visited.insert(ObjectIdentifier(p)).inserted { stack.append((p, 0)) }
            } else {
                order.append(t)
            }
        }
        // Consume the order from its end so each tensor is released as soon as its backward has
        // run: its consumers' nodes are gone by then, so its activation and gradient free here
        // rather than all at once after the whole pass (a large model's backward peak).
        while let t = order.popLast() {
            guard let node = t.node else { continue }
            if t.gradStorage != nil {
                if timings != nil {
                    let start = monotonicSeconds()
                    node.backward(t)
                    timings![String(describing: node.op), default: 0] += monotonicSeconds() - start
                } else {
                    node.backward(t)
                }
            }
            t.node = nil
            t.gradStorage = nil
        }
    }
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
