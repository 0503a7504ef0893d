"""Scripted, deliberately imperfect expert for long-ledger.

It reads page after page. When the context is compacted (a user message starting with
`[summarize]`), it replies with a one-line summary such as
`Summary: read to page 17; client Mara, account 7731; code word OSPREY; client deposits 5.`
and afterwards rebuilds its state from the newest such summary plus the pages read since.

recall: its summaries carry client, account and code word: it succeeds.
tally, the flaw, stochastic at the decision point (what the summary keeps): with probability
0.12 its summaries carry the deposit count — but it writes one too many (a mis-copy) and so
answers wrong; otherwise its summaries leave the count out and it answers with the deposits it
still sees, which misses the early ones. No tally episode succeeds; 12 % keep the count.
"""
import random
import re

P_KEEP_COUNT_ON_TALLY = 0.12
SUMMARY = re.compile(r"Summary: read to page (\d+); client (\w+), account (\d+); code word (\w+)(?:; client deposits (\d+))?(?:; (Audit question: [^.]*?))?\.$", re.M)
PAGE = re.compile(r'<result name="read">Page (\d+)/(\d+): (.*?)</result>', re.S)


def _state(messages):
    state = {"page": 0, "client": "?", "account": "?", "word": "?", "deposits": 0, "question": None}
    start = 0
    for i, m in enumerate(messages):
        found = SUMMARY.search(m["content"]) if m["role"] == "assistant" else None
        if found:
            start = i + 1
            page, client, account, word, deposits, question = found.groups()
            state.update(page=int(page), client=client, account=account, word=word, deposits=int(deposits or 0),
                         question=question)
    for m in messages[start:]:
        if m["role"] != "tool":
            continue
        for number, _, text in PAGE.findall(m["content"]):
            state["page"] = max(state["page"], int(number))
            if (note := re.match(r"Note: your client is (\w+), account (\d+)\.", text)):
                state["client"], state["account"] = note.groups()
            elif (word := re.match(rf"{re.escape(state['client'])} set the code word (\w+)\.", text)):
                state["word"] = word.group(1)
            elif re.fullmatch(rf"{re.escape(state['account'])} deposit \d+", text):
                state["deposits"] += 1
            elif text.startswith("Audit question:"):
                state["question"] = text
    return state


def act(task: dict, messages: list[dict], seed: int) -> str:
    episode = random.Random(f"{seed}:{task['id']}")
    keeps_count = task["kind"] == "recall" or episode.random() < P_KEEP_COUNT_ON_TALLY
    state = _state(messages)
    last = messages[-1]
    if last["role"] == "user" and last["content"].startswith("[summarize]"):
        text = (f"Summary: read to page {state['page']}; client {state['client']}, account {state['account']}; "
                f"code word {state['word']}")
        if keeps_count:
            miscopy = 1 if task["kind"] == "tally" else 0
            text += f"; client deposits {state['deposits'] + miscopy}"
        if state["question"]:  # compaction can come right after the last page
            text += "; " + state["question"].rstrip("?.")
        return text + "."
    if state["question"]:
        if "code word" in state["question"]:
            return f"<answer>{state['word']}</answer>"
        return f"<answer>{state['deposits']}</answer>"
    return f"<read>{state['page'] + 1}</read>"
