#!/usr/bin/env python3
"""Plain-Python check of a TurnRL environment folder (not a product feature).

Runs an environment's generate.py / tasks files, tools.py, verify.py and expert.py the way
/tmp/env-spec.md (docs: Environments/README.md) describes, outside the Swift EnvironmentKit, so the
environments can be validated before and independently of it:

    python3 Environments/_harness/check.py Environments/arith-python [--split test] [--limit N]

Reports, per task kind: episodes, expert success rate, right-first-action rate (the first
utterance uses the tool named in the task's `first_action`), mean return and turns; checks that
the train and test splits share no id or prompt, that task generation and the expert are
deterministic, and that every task has the required fields. Exit code 1 when a check fails.

Built-in tools: `python` runs the code with this interpreter in a subprocess (no sandbox: only
for trusted code such as the experts'); `search` asks the real `turnrl index query` binary
(--turnrl PATH, default .build/release/turnrl) and reads the passage texts from the index.
"""
import argparse
import importlib.util
import inspect
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections import defaultdict

import yaml

TAG = re.compile(r"<([a-z_][a-z0-9_-]*)>(.*?)</\1>", re.S)
SUMMARIZE_MARKER = "[summarize]"


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_search(turnrl, index, db, query, k=3, max_chars=2400):
    """What SearchIndex's SearchTool shows a model: numbered titles with ids, each passage on
    one line, cut at a word boundary so the whole stays under max_chars (same budget rule)."""
    done = subprocess.run([turnrl, "index", "query", "--index", index, "--json", "--k", str(k), query],
                          capture_output=True, text=True, check=True)
    results = json.loads(done.stdout)["results"]
    if not results:
        return "No results. Try other words."
    lines, used = [], 0
    for rank, r in enumerate(results):
        header = f"{rank + 1}. {r['title']} [{r['id']}]"
        remaining = len(results) - rank
        budget = (max_chars - used) // remaining - len(header) - 2
        if budget < 40:
            lines.append(f"({remaining} more result(s) not shown: output limit)")
            break
        row = db.execute("SELECT body FROM passages WHERE id = ?", (r["id"],)).fetchone()
        text = " ".join((row[0] if row else r["snippet"]).split())
        if len(text) > budget:
            prefix = text[: budget - 1]
            text = (prefix[: prefix.rfind(" ")] if " " in prefix else prefix) + "…"
        lines.append(header + "\n" + text)
        used += len(lines[-1]) + 1
    return "\n".join(lines)


def cap(output, limit):
    """An observation cut to `limit` characters with the marker the spec names."""
    return output if len(output) <= limit else output[:limit] + f"…[cut {len(output) - limit} chars]"


class Env:
    def __init__(self, folder, turnrl, index):
        self.folder = os.path.abspath(folder)
        os.environ["TURNRL_ENV_DIR"] = self.folder
        sys.path.insert(0, self.folder)  # as in the sandbox: sibling imports work
        with open(os.path.join(self.folder, "env.yaml")) as f:
            self.manifest = yaml.safe_load(f)
        m = self.manifest
        for field in ("name", "version", "description", "system_prompt", "tasks", "verifier", "max_turns"):
            if field not in m:
                raise SystemExit(f"{folder}/env.yaml: missing field `{field}`")
        self.turnrl, self.index = turnrl, index
        self.builtin_tools = list(m.get("tools") or [])
        self.python_tools = {}
        tools_path = os.path.join(self.folder, "tools.py")
        if os.path.exists(tools_path):
            module = load_module(tools_path, f"{m['name']}_tools")
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if not name.startswith("_") and fn.__module__ == module.__name__:
                    self.python_tools[name] = fn
        verifier = m["verifier"]
        self.verify = load_module(os.path.join(self.folder, verifier), f"{m['name']}_verify").verify
        self.expert = None
        if m.get("expert"):
            self.expert = load_module(os.path.join(self.folder, m["expert"]), f"{m['name']}_expert").act
        self.reward = m.get("reward") or {}
        self.context = m.get("context") or {}
        self.cap = int(m.get("observation_cap_chars", 2000))
        self._db = None

    # --- tasks -------------------------------------------------------------------------
    def tasks(self, split):
        spec = self.manifest["tasks"]
        if "generator" in spec:
            gen = load_module(os.path.join(self.folder, spec["generator"]), f"{self.manifest['name']}_gen").generate
            return gen(split, int(spec.get("seed", 0)), int(spec[f"{split}_count"]))
        value = spec[split]
        if isinstance(value, list):
            return value
        tasks = []
        with open(os.path.join(self.folder, value)) as f:
            for number, line in enumerate(f, 1):
                if line.strip():
                    try:
                        tasks.append(json.loads(line))
                    except json.JSONDecodeError as error:
                        raise SystemExit(f"{value}:{number}: broken JSON line: {error}")
        return tasks

    # --- tools -------------------------------------------------------------------------
    def run_tool(self, name, body, task):
        if name == "python" and "python" in self.builtin_tools:
            try:
                done = subprocess.run([sys.executable, "-c", body], capture_output=True, text=True, timeout=10)
                return done.stdout + done.stderr
            except subprocess.TimeoutExpired:
                return "timed out"
        if name == "search" and "search" in self.builtin_tools:
            return self.search(body)
        fn = self.python_tools[name]
        params = [p for p in inspect.signature(fn).parameters if p != "task"]
        kwargs = {params[0]: body} if len(params) == 1 else json.loads(body)
        if "task" in inspect.signature(fn).parameters:
            kwargs["task"] = task
        return str(fn(**kwargs))

    def search(self, query):
        if self._db is None:
            self._db = sqlite3.connect(f"file:{self.index}?mode=ro", uri=True)
        return render_search(self.turnrl, self.index, self._db, query)

    def observe(self, name, output):
        return f'<result name="{name}">{cap(output, self.cap)}</result>'

    # --- episode -----------------------------------------------------------------------
    def context_tokens(self, messages):
        # Byte-level tokens: the bytes of every message plus a few for the role markers.
        return sum(len(m["content"].encode()) + 4 for m in messages)

    def compact(self, messages, task, seed, mode):
        """Summary mode: ask the policy for a summary with a `[summarize]` user message and
        keep system + task prompt + the summary verbatim (+ keep_last_turns turns). Truncate
        mode: drop the oldest turns. Returns the new message list."""
        head, turns = messages[:2], messages[2:]
        keep = int(self.context.get("keep_last_turns", 0)) * 2
        tail = turns[len(turns) - keep:] if keep else []
        if mode == "summary":
            ask = {"role": "user", "content": SUMMARIZE_MARKER + " Write a summary of everything you will still need; "
                   "the earlier turns will be removed from your context."}
            summary = self.expert(task, messages + [ask], seed)
            return head + [{"role": "assistant", "content": summary}] + tail, summary
        budget = int(self.context.get("budget_tokens", 2048))
        while turns and self.context_tokens(head + turns) > budget * float(self.context.get("summary_threshold", 0.75)):
            turns = turns[2:]
        return head + turns, None

    def episode(self, task, seed, compaction=None):
        mode = compaction or self.context.get("compaction", "none")
        budget = int(self.context.get("budget_tokens", 2048))
        threshold = float(self.context.get("summary_threshold", 0.75))
        messages = [{"role": "system", "content": self.manifest["system_prompt"]},
                    {"role": "user", "content": task["prompt"]}]
        utterances, total, first_tag, verifier_reward, max_ctx, summaries = [], 0.0, None, None, 0, 0
        for turn in range(int(self.manifest["max_turns"])):
            if mode in ("summary", "truncate") and self.context_tokens(messages) > threshold * budget:
                messages, summary = self.compact(messages, task, seed, mode)
                if summary is not None:
                    utterances.append(summary)
                    summaries += 1
            max_ctx = max(max_ctx, self.context_tokens(messages))
            utterance = self.expert(task, messages, seed)
            utterances.append(utterance)
            messages.append({"role": "assistant", "content": utterance})
            calls = TAG.findall(utterance)
            if turn == 0:
                first_tag = calls[0][0] if calls else None
            answers = [body for name, body in calls if name == "answer"]
            wrong = False
            if answers:
                result = self.verify(task, answers[0], messages)
                # Components named "_…" are metrics, not reward; "_success" decides success,
                # else success = summed reward > 0 (the contract's rule).
                components = result if isinstance(result, dict) else {"reward": float(result)}
                verifier_reward = sum(v for k, v in components.items() if not k.startswith("_"))
                success = bool(components["_success"]) if "_success" in components else verifier_reward > 0
                total += verifier_reward
                if success or self.manifest.get("wrong_answer", "end") != "continue":
                    return dict(utterances=utterances, reward=total, verifier=verifier_reward, success=success, turns=turn + 1,
                                first=first_tag, max_ctx=max_ctx, summaries=summaries)
                wrong = True  # wrong_answer: continue — the episode goes on
            known = set(self.builtin_tools) | set(self.python_tools)
            tool_calls = [(n, b) for n, b in calls if n in known]
            parts = [self.observe(n, self.run_tool(n, b, task)) for n, b in tool_calls]
            if wrong:
                parts.append('<result name="answer">wrong</result>')
            elif not tool_calls:
                total += float(self.reward.get("format_penalty", 0.0))
                parts.append("<error>No tool call or answer found. Use a tool tag or <answer>…</answer>.</error>")
            observation = "\n".join(parts)
            total += float(self.reward.get("per_turn", 0.0))
            messages.append({"role": "tool", "content": observation})
        return dict(utterances=utterances, reward=total, verifier=None, success=False, turns=int(self.manifest["max_turns"]),
                    first=first_tag, max_ctx=max_ctx, summaries=summaries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=0, help="episodes (0 = the whole split)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compaction", choices=["none", "truncate", "summary"], help="override env.yaml")
    parser.add_argument("--turnrl", default=".build/release/turnrl")
    parser.add_argument("--index", default=os.path.join(os.environ.get("TURNRL_HOME") or os.path.expanduser("~/.local/share/turnrl"),
                                                        "indexes", "knowledge.sqlite"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = Env(args.folder, os.path.abspath(args.turnrl), args.index)
    failures = []

    train, test = env.tasks("train"), env.tasks("test")
    for split, tasks in (("train", train), ("test", test)):
        ids = [t.get("id") for t in tasks]
        if len(set(ids)) != len(ids):
            failures.append(f"{split}: duplicate ids")
        for t in tasks:
            for field in ("id", "kind", "prompt", "answer", "first_action"):
                if field not in t:
                    failures.append(f"{split} task {t.get('id')}: missing `{field}`")
                    break
    if {t["id"] for t in train} & {t["id"] for t in test}:
        failures.append("train and test share ids")
    shared = {t["prompt"] for t in train} & {t["prompt"] for t in test}
    if shared:
        failures.append(f"train and test share {len(shared)} prompts")
    if env.tasks(args.split) != env.tasks(args.split):
        failures.append("task source is not deterministic")

    tasks = env.tasks(args.split)
    if env.expert is None:  # e.g. the declarative example: check tasks and the verifier only
        for task in tasks:
            result = env.verify(task, str(task["answer"]), [])
            components = result if isinstance(result, dict) else {"reward": float(result)}
            if not (components.get("_success", 1) and sum(v for k, v in components.items() if not k.startswith("_")) > 0):
                failures.append(f"the gold answer of {task['id']} does not verify as a success")
        tasks = []
    if args.limit:
        tasks = tasks[: args.limit]
    per_kind = defaultdict(lambda: dict(n=0, success=0, right_first=0, reward=0.0, turns=0, max_ctx=0, summaries=0))
    answers = defaultdict(int)
    for number, task in enumerate(tasks):
        seed = args.seed + number
        ep = env.episode(task, seed, args.compaction)
        if number < 5 and env.episode(task, seed, args.compaction)["utterances"] != ep["utterances"]:
            failures.append(f"expert not deterministic on {task['id']}")
        k = per_kind[task["kind"]]
        k["n"] += 1
        k["success"] += int(ep["success"])
        k["right_first"] += int(ep["first"] == task["first_action"])
        k["reward"] += ep["reward"]
        k["turns"] += ep["turns"]
        k["max_ctx"] = max(k["max_ctx"], ep["max_ctx"])
        k["summaries"] += ep["summaries"]
        answers[json.dumps(task["answer"])] += 1
    most_common = max(answers.values(), default=0) / max(1, len(tasks))
    if most_common > 0.1:
        failures.append(f"one answer covers {most_common:.0%} of the {args.split} split (guessable)")

    report = {"env": env.manifest["name"], "split": args.split, "episodes": len(tasks),
              "train_tasks": len(train), "test_tasks": len(test), "most_common_answer_share": round(most_common, 3),
              "kinds": {}, "failures": failures}
    total_success = 0
    for kind, k in sorted(per_kind.items()):
        total_success += k["success"]
        report["kinds"][kind] = {"episodes": k["n"], "success": round(k["success"] / k["n"], 3),
                                 "right_first_action": round(k["right_first"] / k["n"], 3),
                                 "mean_return": round(k["reward"] / k["n"], 3), "mean_turns": round(k["turns"] / k["n"], 1),
                                 "max_context_tokens": k["max_ctx"], "summaries_per_episode": round(k["summaries"] / k["n"], 2)}
    report["success"] = round(total_success / max(1, len(tasks)), 3)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"{report['env']} ({args.split}, {len(tasks)} episodes; train {len(train)}, test {len(test)} tasks)")
        print(f"{'kind':<14}{'n':>5}{'success':>9}{'right 1st':>10}{'return':>9}{'turns':>7}{'max ctx':>9}{'summ/ep':>9}")
        for kind, r in report["kinds"].items():
            print(f"{kind:<14}{r['episodes']:>5}{r['success']:>9.3f}{r['right_first_action']:>10.3f}{r['mean_return']:>9.3f}"
                  f"{r['mean_turns']:>7.1f}{r['max_context_tokens']:>9}{r['summaries_per_episode']:>9.2f}")
        print(f"overall success {report['success']:.3f}; most common answer covers {most_common:.1%}")
        for f in failures:
            print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
