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

# Extra strings whose llama.cpp token ids the tokenizer test compares (digits, spaces, Unicode).
TOKENIZE = [
    "Hello world! It's 2024-11-21, 3.14159 and 1234567.",
    "  leading spaces\n\n\ttabs   and trailing  ",
    "naïve café – “quotes” 日本語 🤖 émoji",
    "<|im_start|>assistant\n<tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"print(2**10)\"}}</tool_call><|im_end|>",
    "x=[1,22,333]; y = x[0]+x[1]  # comment\nreturn y",
    "a\x04b: a byte without a token of its own",
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


def load_gguf(path):
    """Every tensor dequantised by the gguf package, in row-major (PyTorch) shape, float64."""
    import gguf
    from gguf.quants import dequantize
    reader = gguf.GGUFReader(path)
    tensors = {}
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type)
        tensors[t.name] = values.reshape([int(d) for d in reversed(t.shape)]).astype(np.float64)
    meta = {k: f.contents() for k, f in reader.fields.items() if not k.startswith("tokenizer.ggml.")}
    return tensors, meta


def rms_norm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope(x, heads, base):
    """Adjacent-pair rotary (llama.cpp's NORM mode, what GGUF q/k rows are arranged for)."""
    t, width = x.shape
    hd = width // heads
    pos = np.arange(t)[:, None]
    inv = base ** (-2.0 * np.arange(hd // 2) / hd)
    ang = pos * inv[None, :]
    c, s = np.cos(ang), np.sin(ang)
    x = x.reshape(t, heads, hd // 2, 2)
    a, b = x[..., 0], x[..., 1]
    out = np.stack([a * c[:, None, :] - b * s[:, None, :], a * s[:, None, :] + b * c[:, None, :]], axis=-1)
    return out.reshape(t, width)


def forward(tensors, meta, ids):
    """Logits [T, vocab] of a Llama GGUF for one sequence, in float64."""
    heads = int(meta["llama.attention.head_count"])
    kv_heads = int(meta["llama.attention.head_count_kv"])
    eps = float(meta["llama.attention.layer_norm_rms_epsilon"])
    base = float(meta["llama.rope.freq_base"])
    emb = tensors["token_embd.weight"]
    x = emb[ids]
    t = len(ids)
    for i in range(int(meta["llama.block_count"])):
        p = f"blk.{i}."
        h = rms_norm(x, tensors[p + "attn_norm.weight"], eps)
        q = rope(h @ tensors[p + "attn_q.weight"].T, heads, base)
        k = rope(h @ tensors[p + "attn_k.weight"].T, kv_heads, base)
        v = h @ tensors[p + "attn_v.weight"].T
        hd = q.shape[1] // heads
        out = np.zeros_like(q)
        causal = np.triu(np.full((t, t), -np.inf), 1)
        for head in range(heads):
            kh = head // (heads // kv_heads)
            qs, ks, vs = q[:, head * hd:(head + 1) * hd], k[:, kh * hd:(kh + 1) * hd], v[:, kh * hd:(kh + 1) * hd]
            scores = qs @ ks.T / np.sqrt(hd) + causal
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            out[:, head * hd:(head + 1) * hd] = (scores / scores.sum(axis=-1, keepdims=True)) @ vs
        x = x + out @ tensors[p + "attn_output.weight"].T
        h = rms_norm(x, tensors[p + "ffn_norm.weight"], eps)
        g = h @ tensors[p + "ffn_gate.weight"].T
        u = h @ tensors[p + "ffn_up.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * u) @ tensors[p + "ffn_down.weight"].T
    x = rms_norm(x, tensors["output_norm.weight"], eps)
    return x @ tensors.get("output.weight", emb).T


# Logit columns kept per position in the fixture besides each position's top 5.
PROBE_IDS = [0, 1, 2, 13, 198, 253, 1000, 2048, 4096, 7000, 9999, 12345, 20000, 30000, 40000, 49151]


def logits_fixture(model):
    tensors, meta = load_gguf(model)
    with open(os.path.join(FIXTURES, "smollm2-tokens.json")) as f:
        tokens = json.load(f)
    out = []
    for entry in tokens["prompts"]:
        logits = forward(tensors, meta, entry["ids"])
        positions = []
        for row in logits:
            top = [int(i) for i in np.argsort(-row)[:5]]
            ids = top + [i for i in PROBE_IDS if i not in top]
            positions.append({"ids": ids, "logits": [round(float(row[i]), 5) for i in ids], "maxAbs": round(float(np.abs(row).max()), 5)})
        out.append({"text": entry["text"], "ids": entry["ids"], "positions": positions})
    with open(os.path.join(FIXTURES, "smollm2-numpy-logits.json"), "w") as f:
        json.dump({"model": os.path.basename(model), "prompts": out}, f, separators=(",", ":"))
    print("wrote numpy logits for", len(out), "prompts")


def llamacpp_fixture(model):
    """Token ids and per-position top-1 / top-1 logit of llama.cpp (2 threads, all logits)."""
    from llama_cpp import Llama
    llm = Llama(model_path=model, n_ctx=512, n_threads=2, logits_all=True, verbose=False)
    prompts = []
    for text in PROMPTS:
        ids = llm.tokenize(text.encode(), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        scores = np.array(llm.scores[:len(ids)], dtype=np.float64)
        prompts.append({"text": text, "ids": ids, "top1": [int(i) for i in scores.argmax(axis=-1)],
                        "top1Logit": [round(float(r.max()), 4) for r in scores],
                        "probeLogits": [[round(float(r[i]), 4) for i in PROBE_IDS] for r in scores]})
    tokenized = [{"text": t, "ids": llm.tokenize(t.encode(), add_bos=False, special=True)} for t in TOKENIZE]
    with open(os.path.join(FIXTURES, "smollm2-tokens.json"), "w") as f:
        json.dump({"model": os.path.basename(model), "probeIDs": PROBE_IDS, "prompts": prompts, "tokenized": tokenized},
                  f, separators=(",", ":"), ensure_ascii=False)
    print("wrote llama.cpp tokens and top-1 for", len(prompts), "prompts")


# A Hermes-style tool template written with block tags on their own lines, `-` trimming,
# elif/else, `set`, filters and tests: exercises trim_blocks / lstrip_blocks like real templates.
HERMES_STYLE = """{%- set system = 'You are a helpful assistant.' -%}
{% for message in messages %}
    {% if loop.first and message.role != 'system' %}
<|im_start|>system
{{ system }}<|im_end|>
    {% endif %}
    {% if message.role == 'tool' %}
<|im_start|>user
<tool_response>
{{ message.content | trim }}
</tool_response><|im_end|>
    {% elif message['role'] in ['user', 'system'] or (message.role == 'assistant' and not loop.last) %}
<|im_start|>{{ message.role }}
{{ message.content }}<|im_end|>
    {% else %}
<|im_start|>{{ message.role ~ '' }}
{{- '\n' + message.content | trim }}<|im_end|>
    {% endif %}
{% endfor %}
{% if add_generation_prompt is defined and add_generation_prompt %}
<|im_start|>assistant
{% endif %}"""


def chat_template_fixture(model):
    """The GGUF's own chat template rendered by jinja2 (as transformers renders it)."""
    import gguf
    import jinja2
    reader = gguf.GGUFReader(model)
    template = reader.fields["tokenizer.chat_template"].contents()
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    compiled = env.from_string(template)
    cases = []
    for name, messages, add in [("tool-chat", CHAT, True), ("tool-chat-no-system", CHAT_NO_SYSTEM, True),
                                ("tool-chat-no-generation-prompt", CHAT, False)]:
        cases.append({"name": name, "messages": messages, "addGenerationPrompt": add,
                      "rendered": compiled.render(messages=messages, add_generation_prompt=add)})
    hermes = env.from_string(HERMES_STYLE)
    hermes_cases = [{"name": "hermes-" + name, "messages": messages, "addGenerationPrompt": add,
                     "rendered": hermes.render(messages=messages, add_generation_prompt=add)}
                    for name, messages, add in [("tool-chat", CHAT, True), ("no-system", CHAT_NO_SYSTEM, False), ("ends-with-assistant", CHAT[:5], False)]]
    with open(os.path.join(FIXTURES, "smollm2-chat-template.json"), "w") as f:
        json.dump({"template": template, "cases": cases, "hermesTemplate": HERMES_STYLE, "hermesCases": hermes_cases},
                  f, indent=1, ensure_ascii=False)
    print("wrote", len(cases), "chat renderings")


def bench(model, prompt_tokens, gen_tokens, rounds, threads):
    """llama.cpp's prompt and generation tokens/s, measured like `turnrl bench llama`: one
    prompt of random ids read at once, then greedy tokens after an 8-token prompt. Prints JSON."""
    import time
    import llama_cpp
    from llama_cpp import Llama
    llm = Llama(model_path=model, n_ctx=max(512, prompt_tokens + gen_tokens + 16), n_threads=threads,
                n_threads_batch=threads, n_batch=max(prompt_tokens, 8), verbose=False)
    rng = np.random.default_rng(1)
    vocab = llm.n_vocab()
    prompt = [int(i) for i in rng.integers(500, vocab - 500, prompt_tokens)]
    def best(body, repeats):
        wall, cpu = float("inf"), float("inf")
        for _ in range(repeats):
            w, c = time.perf_counter(), time.process_time()
            body()
            wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
        return wall, cpu

    def read(ids):
        llm.reset()
        llm.eval(ids)

    def generate():
        read(prompt[:8])
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        for _ in range(gen_tokens - 1):
            llm.eval([token])
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))

    read(prompt)  # warm-up
    p_wall, p_cpu = best(lambda: read(prompt), rounds)
    s_wall, s_cpu = best(lambda: read(prompt[:8]), rounds)
    g_wall, g_cpu = best(generate, rounds)
    print(json.dumps({"promptTokensPerSecond": prompt_tokens / p_wall, "promptTokensPerCPUSecond": prompt_tokens / p_cpu,
                      "generatedTokensPerSecond": (gen_tokens - 1) / max(g_wall - s_wall, 1e-9),
                      "generatedTokensPerCPUSecond": (gen_tokens - 1) / max(g_cpu - s_cpu, 1e-9),
                      "threads": threads, "version": llama_cpp.__version__}))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "gguf-fixture":
        gguf_fixture()
    elif command == "logits":
        logits_fixture(sys.argv[2])
    elif command == "llamacpp":
        llamacpp_fixture(sys.argv[2])
    elif command == "bench":
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("model")
        parser.add_argument("--prompt-tokens", type=int, default=128)
        parser.add_argument("--gen-tokens", type=int, default=64)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--threads", type=int, default=2)
        a = parser.parse_args(sys.argv[2:])
        bench(a.model, a.prompt_tokens, a.gen_tokens, a.rounds, a.threads)
    elif command == "chat-template":
        chat_template_fixture(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
