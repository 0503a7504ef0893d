"""Makes the TensorCore test fixtures. Run from this folder:

    python3 make_fixtures.py        # needs numpy and safetensors (pip install safetensors)

Writes
  python_written.safetensors  - F32 and F16 tensors plus __metadata__, written by the Python
                                safetensors library; the Swift tests read it.
  reference_ops.json          - inputs and float64 NumPy outputs of GELU (HF "gelu_new"),
                                softmax, log-softmax, layer norm, RMS norm, and three AdamW
                                steps following torch.optim.AdamW's documented algorithm.
And checks that the Python library reads swift_written.safetensors (bytes the Swift
SafeTensors writer produces; a Swift test asserts it still produces exactly these bytes).
"""
import json

import numpy as np
from safetensors.numpy import load_file, save_file

rng = np.random.default_rng(1234)

# --- A file written by Python that Swift must read -------------------------------------------
f32 = np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5) - np.float32(1)
# F16: normal values, a subnormal (2^-24), a negative zero, the largest finite value.
f16 = np.array([1.0, -2.5, 0.0009765625, 2.0 ** -24, -0.0, 65504.0], dtype=np.float16)
scalar = np.array(3.25, dtype=np.float32)
save_file({"weights.f32": f32, "halves": f16, "scalar": scalar}, "python_written.safetensors",
          metadata={"format": "np", "made_by": "make_fixtures.py"})

# --- Reference values for forward ops ----------------------------------------------------------
x = rng.normal(0, 2, size=(3, 13))
w = rng.normal(1, 0.3, size=13)
b = rng.normal(0, 1, size=13)

def gelu_new(v):
    return 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))

def softmax(v):
    e = np.exp(v - v.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)

def layer_norm(v, eps=1e-5):
    mu = v.mean(-1, keepdims=True)
    var = ((v - mu) ** 2).mean(-1, keepdims=True)
    return (v - mu) / np.sqrt(var + eps) * w + b

def rms_norm(v, eps=1e-6):
    return v / np.sqrt((v ** 2).mean(-1, keepdims=True) + eps) * w

# AdamW (torch.optim.AdamW docs): p *= 1 - lr*wd; m, v moments; p -= lr * m_hat / (sqrt(v_hat) + eps).
lr, b1, b2, eps, wd = 1e-2, 0.9, 0.999, 1e-8, 0.1
p = rng.normal(size=7)
grads = [rng.normal(size=7) for _ in range(3)]
p0 = p.copy()
m = np.zeros(7)
v = np.zeros(7)
for t, g in enumerate(grads, start=1):
    p = p * (1 - lr * wd)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)

def flat(a):
    return [float(z) for z in np.asarray(a, dtype=np.float64).ravel()]

reference = {
    "x": flat(x), "x_shape": list(x.shape), "w": flat(w), "b": flat(b),
    "gelu": flat(gelu_new(x)), "softmax": flat(softmax(x)),
    "log_softmax": flat(x - x.max(-1, keepdims=True) - np.log(np.exp(x - x.max(-1, keepdims=True)).sum(-1, keepdims=True))),
    "layer_norm": flat(layer_norm(x)), "rms_norm": flat(rms_norm(x)),
    "adamw": {"lr": lr, "beta1": b1, "beta2": b2, "eps": eps, "weight_decay": wd,
              "initial": flat(p0), "grads": [flat(g) for g in grads], "final": flat(p)},
}
with open("reference_ops.json", "w") as f:
    json.dump(reference, f, indent=1)

# --- Python reads what Swift writes --------------------------------------------------------------
loaded = load_file("swift_written.safetensors")
assert loaded["alpha"].dtype == np.float32 and loaded["alpha"].shape == (2, 2), loaded["alpha"]
assert np.array_equal(loaded["alpha"], np.array([[1, -2], [3.5, 0.25]], dtype=np.float32))
assert np.array_equal(loaded["beta/vector"], np.array([0.1, 0.2, 0.3], dtype=np.float32))
assert loaded["gamma"].shape == () and loaded["gamma"] == np.float32(7)
from safetensors import safe_open
with safe_open("swift_written.safetensors", "np") as f:
    assert f.metadata() == {"step": "3", "note": "written by TensorCore \"SafeTensors\""}, f.metadata()
print("python_written.safetensors and reference_ops.json written; swift_written.safetensors reads back in Python")
