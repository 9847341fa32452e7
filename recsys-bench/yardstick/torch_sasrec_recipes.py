#!/usr/bin/env python3
"""Yardstick with recipes: a COPY of ../shared/bench/torch_sasrec.py (the reference, kept unchanged
there) with these additions only, so that the recipes of `recsys bench train` can be timed on it:
  - --loss bce|sampled256|sasrec+|softmax (--negatives K overrides 256 / 3000): sampled softmax over
    K negatives per sequence row drawn uniformly from the catalogue (sampled256: a negative equal to a
    position's target is masked out of that position's logits, as recsys does) or drawn without
    replacement from the items the user has not seen (sasrec+, Klenitskiy and Vasilev, RecSys 2023:
    every unseen item first, then uniform repeats when fewer than K are left); full softmax over the
    catalogue at the positions that have a target; bce is the reference's loss, unchanged;
  - the speed run also prints the median step without batch preparation, the CPU time of the process
    and of the main thread, and the peak resident memory (`speed-recipes:` line);
  - --json FILE appends the speed run's numbers to FILE as one JSON line (for recsys-bench/bench.sh recipes);
  - users with fewer than 2 training items are skipped in speed runs.
Model, initialisation, batch layout (every row left-padded to --maxlen) and the optimiser are the
reference's.

Original docstring:

Yardstick: a SASRec-shaped model in PyTorch, driven from Python.

It is the baseline a user would otherwise pick (PyTorch from Python), run on the same
machine, the same data file and the same shapes as a Java backend, so that speed and
quality can be compared as a ratio in one session.

Needs Debian's PyTorch and OpenBLAS (without libopenblas0-pthread, Debian's torch falls back to the
reference BLAS and runs ~3x slower):  apt-get install -y python3-torch libopenblas0-pthread
(then run it with /usr/bin/python3, the interpreter that sees Debian's packages)

  /usr/bin/python3 torch_sasrec.py --data ../data/sasrec/ml-1m.txt --steps 40
      speed only: median ms per optimiser step, sequences/s (batch 128, max length 200)
  /usr/bin/python3 torch_sasrec.py --data ../data/sasrec/ml-1m.txt --epochs 200 --eval-every 20
      also trains and evaluates leave-one-out, full ranking, seen items masked, ties pessimistic

One epoch = one pass over all users (6,040 sequences on ML-1M), as in the SASRec paper.
"""
import argparse
import json
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path):
    seqs = {}
    with open(path) as f:
        for line in f:
            u, i = line.split()
            seqs.setdefault(int(u), []).append(int(i))
    n_items = max(max(s) for s in seqs.values())
    return seqs, n_items


def split(seqs):
    """Leave-one-out: last = test, second to last = validation, rest = train."""
    train, valid, test = {}, {}, {}
    for u, s in seqs.items():
        if len(s) < 3:
            train[u], valid[u], test[u] = s, None, None
        else:
            train[u], valid[u], test[u] = s[:-2], s[-2], s[-1]
    return train, valid, test


class SASRec(nn.Module):
    def __init__(self, n_items, d, layers, heads, maxlen, dropout):
        super().__init__()
        self.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        self.pos = nn.Embedding(maxlen, d)
        self.drop = nn.Dropout(dropout)
        self.attn_ln = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(layers))
        self.attn = nn.ModuleList(nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)
                                  for _ in range(layers))
        self.ffn_ln = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(layers))
        self.ffn = nn.ModuleList(nn.Sequential(nn.Linear(d, d), nn.ReLU(), nn.Dropout(dropout),
                                               nn.Linear(d, d), nn.Dropout(dropout))
                                 for _ in range(layers))
        self.last_ln = nn.LayerNorm(d, eps=1e-8)
        self.d = d
        self.maxlen = maxlen
        for name, w in self.named_parameters():  # Xavier, as the reference SASRec code does
            if w.dim() > 1:
                nn.init.xavier_normal_(w)
        with torch.no_grad():
            self.item.weight[0].zero_()

    def encode(self, ids):  # ids: [B, L], 0 = padding (left-padded)
        L = ids.shape[1]
        x = self.item(ids) * self.d ** 0.5 + self.pos(torch.arange(L, device=ids.device))
        x = self.drop(x)
        keep = (ids != 0).unsqueeze(-1)
        x = x * keep
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool, device=ids.device), 1)
        for ln_a, attn, ln_f, ffn in zip(self.attn_ln, self.attn, self.ffn_ln, self.ffn):
            q = ln_a(x)
            a, _ = attn(q, x, x, attn_mask=causal, need_weights=False)
            x = q + a
            x = x + ffn(ln_f(x))
            x = x * keep
        return self.last_ln(x)


def batch(train, users, maxlen, n_items, rng):
    B = len(users)
    inp = np.zeros((B, maxlen), dtype=np.int64)
    pos = np.zeros((B, maxlen), dtype=np.int64)
    neg = np.zeros((B, maxlen), dtype=np.int64)
    for b, u in enumerate(users):
        s = train[u]
        seen = set(s)
        x, y = s[:-1][-maxlen:], s[1:][-maxlen:]
        n = len(x)
        if n == 0:
            continue
        inp[b, maxlen - n:] = x
        pos[b, maxlen - n:] = y
        ng = rng.integers(1, n_items + 1, size=n)
        for k in range(n):
            while ng[k] in seen:
                ng[k] = rng.integers(1, n_items + 1)
        neg[b, maxlen - n:] = ng
    return torch.from_numpy(inp), torch.from_numpy(pos), torch.from_numpy(neg)


def row_negatives(train, users, n_items, k, unseen, rng):
    """[B, K] negatives per sequence row: uniform over 1..n_items, or without replacement from the unseen items."""
    out = np.zeros((len(users), k), dtype=np.int64)
    for b, u in enumerate(users):
        if not unseen:
            out[b] = rng.integers(1, n_items + 1, size=k)
            continue
        seen = np.fromiter(set(train[u]), dtype=np.int64)
        c = rng.choice(n_items, size=min(n_items, k + len(seen)), replace=False) + 1
        c = c[~np.isin(c, seen)][:k]
        if len(c) < k:  # fewer unseen items than k: all of them, then uniform repeats
            c = np.concatenate([c, rng.choice(c, size=k - len(c))])
        out[b] = c
    return torch.from_numpy(out)


def step_recipe(model, opt, loss_name, inp, pos, neg):
    """One optimiser step of a recipe; neg: [B, L] (bce) or [B, K] (sampled) or None (softmax)."""
    if loss_name == "bce":
        return step(model, opt, inp, pos, neg)
    h = model.encode(inp)
    m = pos != 0
    if loss_name == "softmax":
        logits = h[m] @ model.item.weight[1:].T  # [P, n_items]
        loss = F.cross_entropy(logits, pos[m] - 1)
    else:
        pl = (h * model.item(pos)).sum(-1, keepdim=True)  # [B, L, 1]
        nl = torch.bmm(h, model.item(neg).transpose(1, 2))  # [B, L, K]
        if loss_name == "sampled256":  # a negative equal to the target is not a negative
            nl = nl.masked_fill(neg.unsqueeze(1) == pos.unsqueeze(-1), float("-inf"))
        lse = torch.logsumexp(torch.cat([pl, nl], -1), -1)  # [B, L]
        loss = (lse - pl.squeeze(-1))[m].mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


def step(model, opt, inp, pos, neg):
    h = model.encode(inp)
    pl = (h * model.item(pos)).sum(-1)
    nl = (h * model.item(neg)).sum(-1)
    m = (pos != 0).float()
    loss = (F.binary_cross_entropy_with_logits(pl, torch.ones_like(pl), reduction="none") * m
            + F.binary_cross_entropy_with_logits(nl, torch.zeros_like(nl), reduction="none") * m
            ).sum() / m.sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


@torch.no_grad()
def evaluate(model, train, valid, test, maxlen, n_items, on="test", k=10):
    model.eval()
    users = [u for u in train if test[u] is not None]
    ndcg = hr = 0.0
    for start in range(0, len(users), 256):
        us = users[start:start + 256]
        inp = np.zeros((len(us), maxlen), dtype=np.int64)
        target = np.zeros(len(us), dtype=np.int64)
        for b, u in enumerate(us):
            s = train[u] + ([valid[u]] if on == "test" else [])
            s = s[-maxlen:]
            inp[b, maxlen - len(s):] = s
            target[b] = test[u] if on == "test" else valid[u]
        h = model.encode(torch.from_numpy(inp))[:, -1, :]
        scores = h @ model.item.weight.T  # [B, n_items + 1]
        scores[:, 0] = -float("inf")
        for b, u in enumerate(us):
            seen = train[u] + ([valid[u]] if on == "test" else [])
            t = target[b]
            ts = scores[b, t].item()
            row = scores[b].clone()
            row[seen] = -float("inf")
            row[t] = ts
            rank = int((row >= ts).sum().item())  # pessimistic: ties rank above the target
            if rank <= k:
                ndcg += 1.0 / np.log2(rank + 1)
                hr += 1.0
    model.train()
    return ndcg / len(users), hr / len(users)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--maxlen", type=int, default=200)
    p.add_argument("--d", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=0, help="speed run: this many steps, then stop")
    p.add_argument("--epochs", type=int, default=0)
    p.add_argument("--eval-every", type=int, default=20)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--loss", choices=["bce", "sampled256", "sasrec+", "softmax"], default="bce",
                   help="speed run: the recipe's loss (addition of this copy)")
    p.add_argument("--negatives", type=int, default=0, help="K of sampled256 / sasrec+ (default 256 / 3000)")
    p.add_argument("--warmup", type=int, default=5, help="speed run: untimed steps before --steps timed ones")
    p.add_argument("--json", help="speed run: append the numbers to this file as one JSON line")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    t0 = time.perf_counter()
    seqs, n_items = load(a.data)
    train, valid, test = split(seqs)
    print(f"data: {len(seqs)} users, {n_items} items, {sum(map(len, seqs.values()))} interactions, "
          f"loaded in {time.perf_counter() - t0:.2f}s; torch {torch.__version__}, threads {torch.get_num_threads()}")
    model = SASRec(n_items, a.d, a.layers, a.heads, a.maxlen, a.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, 0.98))
    users = np.array(sorted(train))

    if a.steps:
        k = a.negatives or (256 if a.loss == "sampled256" else min(3000, n_items - 1))
        users = np.array([u for u in users if len(train[u]) >= 2])
        times, prep, cpu = [], [], []
        for s in range(a.warmup + a.steps):
            if s == a.warmup:
                w0, p0 = time.perf_counter(), time.process_time()
            us = rng.choice(users, a.batch, replace=False)
            t = time.perf_counter()
            c0 = time.thread_time()
            inp, pos, neg = batch(train, us, a.maxlen, n_items, rng)
            if a.loss in ("sampled256", "sasrec+"):
                neg = row_negatives(train, us, n_items, k, a.loss == "sasrec+", rng)
            elif a.loss == "softmax":
                neg = None
            t1 = time.perf_counter()
            loss = step_recipe(model, opt, a.loss, inp, pos, neg)
            t2 = time.perf_counter()
            if s >= a.warmup:
                times.append(t2 - t1)
                prep.append(t1 - t)
                cpu.append(time.thread_time() - c0)
        wall, proc = time.perf_counter() - w0, time.process_time() - p0
        med = statistics.median(times)
        med_all = statistics.median([x + y for x, y in zip(times, prep)])
        print(f"speed-recipes: {a.loss} K {k if a.loss in ('sampled256', 'sasrec+') else '-'} threads "
              f"{torch.get_num_threads()} batch {a.batch} maxlen {a.maxlen} | {a.steps} steps: median "
              f"{med * 1000:.1f} ms/step without batch preparation = {a.batch / med:.1f} seq/s; with it "
              f"{med_all * 1000:.1f} ms = {a.batch / med_all:.1f} seq/s; wall {a.batch * a.steps / wall:.1f} seq/s; "
              f"main-thread CPU {statistics.median(cpu) * 1000:.1f} ms/step = {a.batch / statistics.median(cpu):.1f} "
              f"seq/CPU-s; process CPU {a.batch * a.steps / proc:.1f} seq/CPU-s | peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB | last loss {loss:.4f}",
              flush=True)
        if a.json:
            with open(a.json, "a") as f:
                f.write(json.dumps({
                    "system": "yardstick", "recipe": a.loss, "negatives": k if a.loss in ("sampled256", "sasrec+") else None,
                    "threads": torch.get_num_threads(), "batch": a.batch, "maxLen": a.maxlen, "data": a.data,
                    "items": n_items, "steps": a.steps, "stepMs": [x * 1000 for x in times],
                    "sequencesPerSecond": a.batch / med, "withBatchPreparationSequencesPerSecond": a.batch / med_all,
                    "wallSequencesPerSecond": a.batch * a.steps / wall,
                    "threadCpuSequencesPerSecond": a.batch / statistics.median(cpu),
                    "processCpuSequencesPerSecond": a.batch * a.steps / proc,
                    "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "torch": torch.__version__}) + "\n")
    for epoch in range(1, a.epochs + 1):
        rng.shuffle(users)
        t = time.perf_counter()
        for start in range(0, len(users), a.batch):
            loss = step(model, opt, *batch(train, users[start:start + a.batch], a.maxlen, n_items, rng))
        print(f"epoch {epoch}: loss {loss:.4f}, {time.perf_counter() - t:.1f}s", flush=True)
        if epoch % a.eval_every == 0 or epoch == a.epochs:
            vn, vh = evaluate(model, train, valid, test, a.maxlen, n_items, on="valid")
            tn, th = evaluate(model, train, valid, test, a.maxlen, n_items, on="test")
            print(f"epoch {epoch}: full ranking valid NDCG@10 {vn:.4f} HR@10 {vh:.4f} | "
                  f"test NDCG@10 {tn:.4f} HR@10 {th:.4f}", flush=True)


if __name__ == "__main__":
    main()
