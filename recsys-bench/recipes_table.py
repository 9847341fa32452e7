#!/usr/bin/env python3
"""Summarises a `recsys-bench/bench.sh recipes` run: one JSON file per run in a folder, named
DATA__SYSTEM__RECIPE__THREADS__ROUND.json (SYSTEM: djl, dl4j or yardstick; the Java files are
`recsys bench train --json` results, the yardstick's come from torch_sasrec_recipes.py --json).

Prints a Markdown table: per data set, recipe and thread count the median over rounds of each
system's sequences/s (median step; the yardstick without its batch preparation, as recsys builds
batches on a prefetch thread) and of its sequences per CPU-second (with 1 thread: the CPU time of the
training thread, where all engine work runs, the yardstick's including its batch preparation, about
1 % of a step; with more: the CPU time of the whole process), the largest peak resident memory, and
the ratios djl / yardstick and dl4j / djl of both. On a shared machine the CPU-time ratios are the
robust ones: wall time depends on what else runs.
Standard library only:  python3 recsys-bench/recipes_table.py FOLDER
"""
import json
import pathlib
import statistics
import sys


def load(folder):
    runs = {}
    for f in sorted(pathlib.Path(folder).glob("*.json")):
        data, system, recipe, threads, _round = f.stem.split("__")
        text = f.read_text().strip()
        if not text:
            continue
        j = json.loads(text.splitlines()[-1]) if system == "yardstick" else json.loads(text)
        cpu = "threadCpuSequencesPerSecond" if int(threads) == 1 else "processCpuSequencesPerSecond"
        if system == "yardstick":
            m = (j["sequencesPerSecond"], j[cpu], j["peakRssMiB"])
        else:
            x = j["metrics"]
            m = (x["train.sequencesPerSecond"], x["train." + cpu] or float("nan"), x["memory.peakRssMiB"] or float("nan"))
        runs.setdefault((data, recipe, int(threads)), {}).setdefault(system, []).append(m)
    return runs


def cell(values):
    if not values:
        return "–", float("nan"), float("nan")
    med = statistics.median(v[0] for v in values)
    lo, hi = min(v[0] for v in values), max(v[0] for v in values)
    cpu = statistics.median(v[1] for v in values)
    rng = f" ({lo:.0f}–{hi:.0f})" if len(values) > 1 else ""
    return f"{med:.1f}{rng} / {cpu:.1f}", med, cpu


def main(folder):
    runs = load(folder)
    order = {"bce": 0, "sampled256": 1, "sasrec+": 2, "softmax": 3}
    print("| data | recipe | threads | djl seq/s (range) / seq/CPU-s | dl4j seq/s (range) / seq/CPU-s "
          "| yardstick seq/s (range) / seq/CPU-s | djl / yardstick, wall / CPU | dl4j / djl, wall / CPU "
          "| peak RSS MiB djl / dl4j / yardstick | rounds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(runs, key=lambda k: (k[0], order.get(k[1], 9), k[2])):
        r = runs[key]
        cells = {s: cell(r.get(s, [])) for s in ("djl", "dl4j", "yardstick")}
        djl, dl4j, ys = cells["djl"], cells["dl4j"], cells["yardstick"]

        def ratio(a, b):
            one = lambda x, y: f"{x / y:.2f}×" if x == x and y == y and y > 0 else "–"
            return f"{one(a[1], b[1])} / {one(a[2], b[2])}"

        rss = " / ".join(f"{max(v[2] for v in r[s]):.0f}" if s in r else "–" for s in ("djl", "dl4j", "yardstick"))
        rounds = max(len(v) for v in r.values())
        print(f"| {key[0]} | {key[1]} | {key[2]} | {cells['djl'][0]} | {cells['dl4j'][0]} | {cells['yardstick'][0]} "
              f"| {ratio(djl, ys)} | {ratio(dl4j, djl)} | {rss} | {rounds} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
