"""Tasks for long-ledger: read a 29–66 page ledger one page per turn, then answer an audit
question that only the last page reveals.

The decisive facts arrive early: page 1 names your client and their account, page 2 or 3 the
client's code word. Later pages are transactions between four accounts and notes about other
people (distractors with their own accounts and code words). Because the question comes last,
a policy cannot know which early fact it will need; because the whole history (~75 byte tokens a
turn) is far beyond the 1,024-token context budget, it must carry those facts — and a running
count — in its own summaries.

Kinds: `recall` ("What code word did your client set?") and `tally` ("How many deposits went
into your client's account?", 3–24, never a constant). A task is in the test split when the
CRC-32 of its prompt (which names the ledger) is ≡ 0 (mod 10), else in train.
"""
import random
import zlib

NAMES = ["Ada", "Bram", "Cleo", "Dov", "Edda", "Finn", "Gita", "Hugo", "Ines", "Jon", "Kira", "Lars",
         "Mara", "Nils", "Olga", "Pia", "Rui", "Sena", "Tomas", "Una", "Vera", "Wim", "Yara", "Zeno"]
WORDS = ["OSPREY", "LARCH", "COBALT", "FJORD", "MAPLE", "QUARTZ", "HERON", "BASALT", "CEDAR", "DUNE",
         "EMBER", "GARNET", "HAZEL", "IRIS", "JASPER", "KESTREL", "LOTUS", "MERLIN", "NUTMEG", "ONYX",
         "PEBBLE", "QUILL", "RAVEN", "SAFFRON", "TUNDRA", "UMBER", "VELVET", "WILLOW", "YARROW", "ZINNIA"]
RECALL_Q = "Audit question: what code word did your client set?"
TALLY_Q = "Audit question: how many deposits went into your client's account?"


def _task(rng: random.Random) -> dict:
    kind = rng.choice(["recall", "tally"])
    pages_total = rng.randint(29, 66)
    people = rng.sample(NAMES, 4)
    accounts = [str(a) for a in rng.sample(range(1000, 9999), 4)]
    words = rng.sample(WORDS, 4)
    client, account, word = people[0], accounts[0], words[0]
    pages = [None] * pages_total
    pages[0] = f"Note: your client is {client}, account {account}."
    pages[rng.choice([1, 2])] = f"{client} set the code word {word}."
    pages[-1] = RECALL_Q if kind == "recall" else TALLY_Q
    free = [i for i, p in enumerate(pages) if p is None]
    # Distractors: the other three people's accounts and code words, anywhere before the end.
    for person, acct, other_word in zip(people[1:], accounts[1:], words[1:]):
        for text in (f"Note: {person} holds account {acct}.", f"{person} set the code word {other_word}."):
            slot = rng.choice(free)
            free.remove(slot)
            pages[slot] = text
    # Client deposits: at least one in the first ten pages (always summarised away before the end).
    deposits = rng.randint(3, min(24, len(free) // 2))
    early = [i for i in free if i < 10]
    chosen = {rng.choice(early)}
    chosen |= set(rng.sample([i for i in free if i not in chosen], deposits - 1))
    for i in free:
        if i in chosen:
            pages[i] = f"{account} deposit {rng.randint(10, 990)}"
        else:
            acct, action = rng.choice(accounts), rng.choice(["deposit", "withdrawal"])
            if acct == account and action == "deposit":
                action = "withdrawal"
            pages[i] = f"{acct} {action} {rng.randint(10, 990)}"
    prompt = (f"Ledger {rng.randint(100, 999)}-{rng.randint(100, 999)} has {pages_total} pages. Read them in order with <read>page</read>. "
              f"The last page asks a question: answer it with <answer>...</answer>.")
    answer = word if kind == "recall" else str(deposits)
    return {"kind": kind, "prompt": prompt, "answer": answer, "first_action": "read", "pages": pages}


def generate(split: str, seed: int, count: int) -> list[dict]:
    """`count` tasks of `split` ("train" | "test"), the same list for the same arguments."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be train or test, not {split!r}")
    rng = random.Random(f"long-ledger:{seed}")
    tasks, seen = [], set()
    while len(tasks) < count:
        task = _task(rng)
        if (zlib.crc32(task["prompt"].encode()) % 10 == 0) != (split == "test") or task["prompt"] in seen:
            continue
        seen.add(task["prompt"])
        task["id"] = f"{split}-{len(tasks):05d}"
        tasks.append(task)
    return tasks
