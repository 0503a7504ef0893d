#!/usr/bin/env python3
"""Reference outputs for TurnRL's GGUF reader and Llama model (issue #10).

Needs numpy, gguf and jinja2 (and llama-cpp-python for `llamacpp`); TurnRL's data folder has
them in llama-ref-venv. Subcommands write small fixtures into Tests/Fixtures/Llama:

  gguf-fixture    a tiny GGUF with one tensor per readable type (+ one Q5_0 tensor that must
                  be refused) and the values the `gguf` package dequantises them to;
  chat-template   the GGUF's chat template rendered by jinja2 for a multi-turn tool chat;
  logits MODEL    a numpy forward pass over gguf's own dequantisation on fixed prompts;
  llamacpp MODEL  llama.cpp's tokens and logits on the same prompts (top-1 comparison).
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures", "Llama")

# Fixed prompts for the logits parity (token ids come from llama.cpp's tokenizer or TurnRL's).
PROMPTS = [
    "<|im_start|>user\nWhat is 17 * 23?<|im_end|>\n<|im_start|>assistant\n",
    "The capital of France is",
    "def fibonacci(n):\n    if n < 2:\n        return n",
]

# A multi-turn tool conversation (roles, tool call text, a tool result) for the chat template.
CHAT = [
    {"role": "system", "content": "You can call a python tool: <tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"...\"}}</tool_call>"},
    {"role": "user", "content": "What is 1234 * 5678?"},
    {"role": "assistant", "content": "<tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"print(1234 * 5678)\"}}</tool_call>"},
    {"role": "tool", "content": "7006652\n"},
    {"role": "assistant", "content": "The answer is 7006652."},
    {"role": "user", "content": "Thanks! And 2**10?"},
]
CHAT_NO_SYSTEM = CHAT[1:]


def gguf_fixture():
    import gguf
    from gguf.quants import quantize, dequantize
    rng = np.random.default_rng(7)
    path = os.path.join(FIXTURES, "tiny.gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_uint32("test.answer", 42)
    w.add_float32("test.pi", 3.25)
    w.add_string("test.name", "tiny ✓")
    w.add_bool("test.flag", True)
    w.add_array("test.list", ["a", "bc"])
    expected = {}
    specs = [("f32", gguf.GGMLQuantizationType.F32), ("f16", gguf.GGMLQuantizationType.F16),
             ("q8_0", gguf.GGMLQuantizationType.Q8_0), ("q4_0", gguf.GGMLQuantizationType.Q4_0),
             ("q4_1", gguf.GGMLQuantizationType.Q4_1)]
    for name, qtype in specs:
        x = rng.standard_normal((3, 64)).astype(np.float32)
        if qtype == gguf.GGMLQuantizationType.F32:
            w.add_tensor(name, x)
            values = x
        elif qtype == gguf.GGMLQuantizationType.F16:
            w.add_tensor(name, x.astype(np.float16))
            values = x.astype(np.float16).astype(np.float32)
        else:
            q = quantize(x, qtype)
            w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=qtype)
            values = dequantize(q, qtype)
        expected[name] = {"shape": list(values.shape), "values": [float(v) for v in values.reshape(-1)]}
    x = rng.standard_normal((1, 32)).astype(np.float32)
    q = quantize(x, gguf.GGMLQuantizationType.Q5_0)
    w.add_tensor("q5_0", q, raw_shape=q.shape, raw_dtype=gguf.GGMLQuantizationType.Q5_0)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with open(os.path.join(FIXTURES, "tiny-gguf-expected.json"), "w") as f:
        json.dump(expected, f)
    print("wrote", path)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "gguf-fixture":
        gguf_fixture()
    else:
        print(__doc__)
        sys.exit(2)
