#!/usr/bin/env python3
"""Builds the byte-level BPE fixture for TurnRL's tokenizer tests.

Trains a small GPT-2 style byte-level BPE with HuggingFace `tokenizers` (ByteLevel
pre-tokenizer = GPT-2's regex, all 256 byte tokens, <|endoftext|> as added special token) on
text generated here, saves it as tokenizer.json, and records the ids `tokenizers` gives for a
set of strings (hand-picked edge cases + seeded random Unicode) in tokenizer_expected.json.

Run: python3 make_tokenizer_fixture.py   (needs `pip install tokenizers`; CI does not)
"""
import json
import os
import random

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_SIZE = 512  # the reference policy's vocabulary size (issue 3)

WORDS = """the a an agent tool call answer search python result reward turn episode policy value
critic token model learn train step loss gradient it's we're they've I'm you'll he'd don't can't
print def return import for while if else True False None 0 1 2 3 42 100 3.14 x y z list dict
café naïve über straße日本語 中文 한국어 русский ελληνικά العربية עברית हिन्दी 😀 🚀 👍🏽""".split()


def corpus(rng: random.Random):
    for _ in range(4000):
        n = rng.randint(3, 14)
        sentence = " ".join(rng.choice(WORDS) for _ in range(n))
        tail = rng.choice([".", "!", "?", ":", ",", "\n", "\n\n", "  ", "\t", ""])
        yield sentence.capitalize() + tail
        if rng.random() < 0.2:
            yield f"<python>print({rng.randint(0, 999)} + {rng.randint(0, 999)})</python>"
        if rng.random() < 0.1:
            yield "    def f(x):\n        return x * 2\n"


def random_unicode(rng: random.Random, length: int) -> str:
    pools = [
        (0x20, 0x7E), (0x09, 0x0D), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF),
        (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F), (0x2000, 0x206F), (0x3000, 0x30FF),
        (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF),
        (0xFE00, 0xFE0F), (0x200B, 0x200D), (0x2028, 0x2029), (0x85, 0x85), (0x1680, 0x1680),
    ]
    out = []
    for _ in range(length):
        lo, hi = rng.choice(pools)
        c = rng.randint(lo, hi)
        if 0xD800 <= c <= 0xDFFF:
            continue
        out.append(chr(c))
    return "".join(out)


def main():
    rng = random.Random(20261121)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(rng), trainer=trainer)
    tok.save(os.path.join(HERE, "tokenizer.json"))

    cases = [
        "", "Hello world", "Hello, world! It's the agent's turn; we're done, they'll see.",
        "lone\rCR", "crlf\r\nline", "many     spaces    between", "   leading", "trailing   ",
        "tabs\t\tand\nnewlines\n\n\n", " \n \n", "'s 'S 're 'RE 'll n't", "x''s ''",
        "numbers 123456 3.14159 ½ ² ٣ Ⅻ", "café naïve e\u0301 a\u0308\u0301", "日本語のテキスト",
        "emoji 😀🚀👍🏽👨‍👩‍👧 flags 🇩🇪", "nbsp\u00a0here\u2003em\u3000ideo", "zero\u200bwidth",
        "<|endoftext|>", "before<|endoftext|>after <|endoftext|><|endoftext|> end",
        "<python>print(1 + 2)</python>", "    def f(x):\n        return x * 2\n",
        "\u0085next line\u2028sep", "控制\x00\x01\x7f chars", "a" * 300,
    ]
    for i in range(60):
        cases.append(random_unicode(rng, rng.randint(1, 40)))
    expected = [{"text": s, "ids": tok.encode(s).ids} for s in cases]
    for e in expected:
        assert tok.decode(e["ids"], skip_special_tokens=False) == e["text"], e["text"]
    with open(os.path.join(HERE, "tokenizer_expected.json"), "w", encoding="utf-8") as f:
        json.dump({"vocab_size": tok.get_vocab_size(), "cases": expected}, f, ensure_ascii=False, indent=0)
    print(f"vocab {tok.get_vocab_size()}, {len(expected)} cases")


if __name__ == "__main__":
    main()
