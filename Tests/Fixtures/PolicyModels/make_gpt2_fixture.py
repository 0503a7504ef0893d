#!/usr/bin/env python3
"""Builds the tiny GPT-2 reference fixture for TurnRL's PolicyModels tests.

A random HuggingFace GPT2LMHeadModel (2 layers, d=64, 4 heads, 64 positions, vocabulary = the
fixture tokenizer's 512) saved as a checkpoint folder `tiny-gpt2/` (model.safetensors,
config.json, tokenizer.json), plus `tiny-gpt2-reference.safetensors` holding, for a fixed input
(batch 2 x 12 tokens, the second row right-padded with attention mask 0 on the last 3):
  input_ids, attention_mask, labels (-100 where ignored), logits, loss, and the gradients of the
  mean cross-entropy of next-token prediction w.r.t. several named parameters (prefix `grad.`).
Everything in float32 (ids, mask and labels too: exact below 2^24). Dropout is off (eval mode).

Run: python3 make_tokenizer_fixture.py && python3 make_gpt2_fixture.py
(needs `pip install torch transformers safetensors`; CI does not)
"""
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "tiny-gpt2")
GRAD_NAMES = [
    "transformer.wte.weight", "transformer.wpe.weight",
    "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
    "transformer.h.1.attn.c_proj.weight", "transformer.h.1.mlp.c_fc.weight",
    "transformer.h.1.mlp.c_proj.bias", "transformer.h.0.ln_1.weight",
    "transformer.ln_f.weight", "transformer.ln_f.bias",
]


def main():
    torch.manual_seed(1234)
    config = GPT2Config(
        vocab_size=512, n_positions=64, n_embd=64, n_layer=2, n_head=4,
        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0,
    )
    model = GPT2LMHeadModel(config)
    # Bigger-than-default init so the logits are not all near zero and gradients are O(1e-2).
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn_like(p))
            else:
                p.copy_(0.08 * torch.randn_like(p))
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    model.save_pretrained(OUT, safe_serialization=True)
    shutil.copy(os.path.join(HERE, "tokenizer.json"), os.path.join(OUT, "tokenizer.json"))
    for extra in ["generation_config.json"]:
        path = os.path.join(OUT, extra)
        if os.path.exists(path):
            os.remove(path)

    g = torch.Generator().manual_seed(99)
    input_ids = torch.randint(0, 512, (2, 12), generator=g)
    attention_mask = torch.ones(2, 12, dtype=torch.int64)
    attention_mask[1, 9:] = 0
    input_ids[1, 9:] = 0
    labels = input_ids.clone()
    labels[attention_mask == 0] = -100

    model.zero_grad()
    out = model(input_ids=input_ids, attention_mask=attention_mask)
    logits = out.logits
    # Mean next-token cross-entropy over the non-ignored positions (HF's own loss definition).
    shift_logits = logits[:, :-1, :].reshape(-1, 512)
    shift_labels = labels[:, 1:].reshape(-1)
    loss = torch.nn.functional.cross_entropy(shift_logits, shift_labels, ignore_index=-100)
    loss.backward()
    params = dict(model.named_parameters())
    tensors = {
        # ids as float32 (exact below 2^24): TensorCore's reader takes float tensors only.
        "input_ids": input_ids.float(), "attention_mask": attention_mask.float(), "labels": labels.float(),
        "logits": logits.detach().contiguous(), "loss": loss.detach().reshape(1),
    }
    for name in GRAD_NAMES:
        tensors["grad." + name] = params[name].grad.detach().contiguous()
    save_file(tensors, os.path.join(HERE, "tiny-gpt2-reference.safetensors"))
    print("loss", loss.item(), "files:", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
