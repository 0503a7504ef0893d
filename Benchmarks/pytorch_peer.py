#!/usr/bin/env python3
"""PyTorch peer for `turnrl bench policy`: the same reference policy and workloads on the CPU.

HF transformers GPT2LMHeadModel (4 layers, d_model 256, 4 heads, context 256, vocab 512,
dropout off), torch.set_num_threads(2), float32:
  - training tokens/s: batch 16 x 256, forward + mean next-token cross-entropy + backward + AdamW
  - forward-only tokens/s: the same batch under torch.no_grad (logits + loss)
  - generation tokens/s, batch 1 (and 8 with cache): a 16-token prompt, 256 new tokens sampled
    at temperature 1 by a plain loop over model(...) with and without past_key_values (model
    with 512 positions so they fit)
  - peak RSS of one training step (VmHWM after a reset through /proc/self/clear_refs)
With --train-only and the model/batch options, only the training figure, at other sizes: what
`turnrl bench learn` asks for, the byte GPT of a BC run (AdamW, grad-norm clip 1.0, like BC).
Prints one JSON object on the last line. Optional: `pip install torch transformers`.
"""
import argparse
import json
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def make(n_positions, vocab=512, d_model=256, layers=4, heads=4):
    config = GPT2Config(vocab_size=vocab, n_positions=n_positions, n_embd=d_model, n_layer=layers, n_head=heads,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def train_only(args):
    """Training tokens/s of a batch x seq-len step: forward, mean cross-entropy, backward, clip, AdamW."""
    model = make(args.context, args.vocab, args.d_model, args.layers, args.heads)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    ids = torch.randint(0, args.vocab, (args.batch, args.seq_len))

    def train_step():
        opt.zero_grad(set_to_none=True)
        model(input_ids=ids, labels=ids).loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    train_step()
    start = time.perf_counter()
    for _ in range(args.steps):
        train_step()
    train = args.batch * args.seq_len * args.steps / (time.perf_counter() - start)
    print(json.dumps({"train_tokens_per_s": train, "threads": torch.get_num_threads(),
                      "torch_version": torch.__version__}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-only", action="store_true", help="only the training figure, at the sizes below")
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=256)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--vocab", type=int, default=512)
    parser.add_argument("--context", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seq-len", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    if args.train_only:
        train_only(args)
        return
    batch, ctx = 16, 256
    model = make(ctx)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    ids = torch.randint(0, 512, (batch, ctx))

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        opt.step()

    reset_peak()
    train_step()
    peak = peak_rss_mb()
    start = time.perf_counter()
    for _ in range(args.steps):
        train_step()
    train = batch * ctx * args.steps / (time.perf_counter() - start)

    model.eval()
    with torch.no_grad():
        model(input_ids=ids, labels=ids)
        start = time.perf_counter()
        for _ in range(args.steps):
            model(input_ids=ids, labels=ids)
        forward = batch * ctx * args.steps / (time.perf_counter() - start)

    gen = make(512).eval()

    def generate(rows, cache):
        # A plain sampling loop (what TurnRL does), not HF `generate`, whose per-step logits
        # processors and stopping criteria would add Python overhead unrelated to the model.
        prompt = torch.randint(0, 256, (rows, 16))
        new_tokens = 256
        with torch.no_grad():
            start = time.perf_counter()
            if cache:
                out = gen(input_ids=prompt, use_cache=True)
                past, logits = out.past_key_values, out.logits[:, -1]
            else:
                sequence = prompt
                logits = gen(input_ids=sequence, use_cache=False).logits[:, -1]
            for step in range(new_tokens):
                token = torch.multinomial(torch.softmax(logits, dim=-1), 1)
                if step == new_tokens - 1:
                    break
                if cache:
                    out = gen(input_ids=token, past_key_values=past, use_cache=True)
                    past, logits = out.past_key_values, out.logits[:, -1]
                else:
                    sequence = torch.cat([sequence, token], dim=1)
                    logits = gen(input_ids=sequence, use_cache=False).logits[:, -1]
            return new_tokens * rows / (time.perf_counter() - start)

    cached = generate(1, True)
    uncached = generate(1, False)
    cached8 = generate(8, True)
    print(json.dumps({
        "train_tokens_per_s": train, "forward_tokens_per_s": forward,
        "generate_cached_tokens_per_s": cached, "generate_uncached_tokens_per_s": uncached,
        "generate_cached_batch8_tokens_per_s": cached8, "peak_rss_train_step_mb": peak,
        "threads": torch.get_num_threads(), "torch_version": torch.__version__,
    }))


if __name__ == "__main__":
    main()
