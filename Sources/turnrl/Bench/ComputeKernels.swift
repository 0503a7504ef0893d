import Foundation
import Logging
import TensorCore

/// Kernel timings at the reference policy's shapes (batch 16 × context 256 tokens, width 256,
/// 4 heads, MLP 1024, vocab 512), against the same computations in NumPy (float32).
enum ComputeKernels {
    struct Row: Codable {
        let name: String
        let swiftMs: Double
        let numpyMs: Double?
        /// numpy time / swift time (> 1: TensorCore is faster).
        let speedupVsNumpy: Double?
    }

    static let tokens = 16 * 256, width = 256, hidden = 1024, vocab = 512, heads = 4, batch = 16, context = 256
    /// Parameters of the 4-layer reference GPT (for the AdamW step).
    static let parameterCount = 3_412_480

    /// The NumPy side: the same kernels, float32, best of rounds; prints {name: ms} as JSON.
    static let numpyScript = #"""
    import json, sys, time
    import numpy as np
    rounds, seconds = int(sys.argv[1]), float(sys.argv[2])
    T, D, Hd, V, B, S, H = 16 * 256, 256, 1024, 512, 16, 256, 4
    rng = np.random.default_rng(0)
    f = lambda *s: rng.standard_normal(s, dtype=np.float32)
    x, y, h, w, b = f(T, D), f(T, D), f(T, Hd), f(D) + 1, f(D)
    logits, targets = f(T, V), rng.integers(0, V, T)
    scores = f(B * H * S, S)
    q, k, v = f(B, H, S, D // H), f(B, H, S, D // H), f(B, H, S, D // H)
    causal = np.triu(np.full((S, S), -np.inf, dtype=np.float32), 1)
    P = 3412480
    p, g, m, vv = f(P), f(P), np.zeros(P, np.float32), np.zeros(P, np.float32)
    c = np.float32(np.sqrt(2 / np.pi))
    def gelu(): return 0.5 * h * (1 + np.tanh(c * (h + np.float32(0.044715) * h * h * h)))
    def softmax():
        e = np.exp(scores - scores.max(-1, keepdims=True)); return e / e.sum(-1, keepdims=True)
    def layernorm():
        mu = x.mean(-1, keepdims=True); var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + np.float32(1e-5)) * w + b
    def cross_entropy():
        mx = logits.max(-1, keepdims=True)
        lse = mx[:, 0] + np.log(np.exp(logits - mx).sum(-1))
        return (lse - logits[np.arange(T), targets]).mean()
    def attention():
        s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(D // H)) + causal
        e = np.exp(s - s.max(-1, keepdims=True)); a = e / e.sum(-1, keepdims=True)
        return a @ v
    def adamw():
        global p, m, vv
        m *= 0.9; m += 0.1 * g; vv *= 0.999; vv += 0.001 * g * g
        p *= np.float32(1 - 1e-3 * 0.1); p -= 1e-3 * (m / 0.1) / (np.sqrt(vv / 0.001) + 1e-8)
    kernels = {"add [4096,256]": lambda: x + y, "gelu forward [4096,1024]": gelu,
               "softmax forward [16384,256]": softmax, "layerNorm forward [4096,256]": layernorm,
               "crossEntropy forward [4096,512]": cross_entropy,
               "attention forward B16 T256 D256 H4": attention, "AdamW step 3.41M params": adamw}
    out = {}
    for name, fn in kernels.items():
        fn(); t = time.perf_counter(); fn(); one = max(time.perf_counter() - t, 1e-7)
        reps = max(1, int(seconds / one)); best = float("inf")
        for _ in range(rounds):
            t = time.perf_counter()
            for _ in range(reps): fn()
            best = min(best, (time.perf_counter() - t) / reps)
        out[name] = best * 1000
    print(json.dumps(out))
    """#

    /// Times every kernel in Swift, then (if possible) in NumPy; returns the rows and a note
    /// on the NumPy peer (its version, or why it was skipped).
    static func measure(rounds: Int, seconds: Double, python: String, logger: Logger) -> ([Row], String) {
        let swift = swiftTimings(rounds: rounds, seconds: seconds)
        var numpy: [String: Double] = [:]
        var note: String
        do {
            let output = try Shell.run(python, ["-c", numpyScript, String(rounds), String(seconds)])
            if output.status == 0, let data = output.stdout.trimmed.data(using: .utf8),
               let parsed = try? JSONDecoder().decode([String: Double].self, from: data) {
                numpy = parsed
                let version = (try? Shell.run(python, ["-c", "import numpy; print(numpy.__version__)"]))?.stdout.trimmed ?? "?"
                note = "NumPy \(version) via \(python)"
            } else {
                note = "skipped: \(python) could not run the NumPy peer (\(output.stderr.trimmed.split(separator: "\n").last ?? "no output")); pass --python with numpy installed"
            }
        } catch {
            note = "skipped: cannot run \(python) (\(error)); pass --python"
        }
        logger.debug("numpy peer", metadata: ["note": "\(note)"])
        let rows = swift.map { name, ms in
            Row(name: name, swiftMs: ms, numpyMs: numpy[name], speedupVsNumpy: numpy[name].map { $0 / ms })
        }
        return (rows, note)
    }

    /// The Swift side, best of interleaved rounds per kernel.
    private static func swiftTimings(rounds: Int, seconds: Double) -> [(String, Double)] {
        var rng = SeededRNG(seed: 0)
        let x = Tensor.randn([tokens, width], rng: &rng), y = Tensor.randn([tokens, width], rng: &rng)
        let h = Tensor.randn([tokens, hidden], rng: &rng)
        let w = Tensor.randn([width], mean: 1, rng: &rng), b = Tensor.randn([width], rng: &rng)
        let logits = Tensor.randn([tokens, vocab], rng: &rng)
        let targets = (0..<tokens).map { _ in Int(rng.next() % UInt64(vocab)) }
        let scores = Tensor.randn([batch * heads * context, context], rng: &rng)
        let qkv = Tensor.randn([batch, context, 3 * width], rng: &rng)
        let parameter = Tensor.randn([parameterCount], rng: &rng, requiresGrad: true)
        let optimizer = AdamW(parameters: [parameter], config: AdamWConfig(learningRate: 1e-3))
        (parameter * Tensor.randn([parameterCount], rng: &rng)).sum().backward()
        let hGrad = Tensor.randn([tokens, hidden], rng: &rng), xGrad = Tensor.randn([tokens, width], rng: &rng)
        let attentionGrad = Tensor.randn([batch, context, width], rng: &rng)

        /// Forward then backward of `op` on a fresh leaf copy of `input` with output gradient `grad`.
        func forwardBackward(_ input: Tensor, _ grad: Tensor, _ op: @escaping (Tensor) -> Tensor) -> () -> Void {
            let leaf = input.detached()
            leaf.requiresGrad = true
            return {
                leaf.zeroGrad()
                op(leaf).backward(gradient: grad)
            }
        }
        let kernels: [(String, () -> Void)] = [
            ("add [4096,256]", { _ = noGrad { x + y } }),
            ("gelu forward [4096,1024]", { _ = noGrad { h.gelu() } }),
            ("gelu forward+backward [4096,1024]", forwardBackward(h, hGrad) { $0.gelu() }),
            ("softmax forward [16384,256]", { _ = noGrad { scores.softmax() } }),
            ("layerNorm forward [4096,256]", { _ = noGrad { x.layerNorm(weight: w, bias: b) } }),
            ("layerNorm forward+backward [4096,256]", forwardBackward(x, xGrad) { $0.layerNorm(weight: w, bias: b) }),
            ("crossEntropy forward [4096,512]", { _ = noGrad { Tensor.crossEntropy(logits, targets: targets) } }),
            ("crossEntropy forward+backward [4096,512]", forwardBackward(logits, Tensor(scalar: 1)) { Tensor.crossEntropy($0, targets: targets) }),
            ("attention forward B16 T256 D256 H4", { _ = noGrad { Tensor.causalSelfAttention(qkv: qkv, heads: heads) } }),
            ("attention forward+backward B16 T256 D256 H4", forwardBackward(qkv, attentionGrad) { Tensor.causalSelfAttention(qkv: $0, heads: heads) }),
            ("AdamW step 3.41M params", { optimizer.step() }),
        ]
        let contenders = kernels.map { (BenchTiming.repetitions(toFill: seconds, $0.1), $0.1) }
        let best = BenchTiming.interleavedBest(rounds: rounds, contenders: contenders)
        return zip(kernels, best).map { ($0.0, $1 * 1000) }
    }
}
