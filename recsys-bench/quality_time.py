#!/usr/bin/env python3
"""Time to quality from two training logs (recsys-bench/bench.sh quality-time).

  quality_time.py YARDSTICK_LOG RECSYS_LOG

The target is the yardstick's validation NDCG@10 at its last evaluated epoch. For each system: the
training time (the sum of its epochs' times; evaluation left out) up to the first epoch whose validation
NDCG@10 reaches the target, and the epochs that took. Prints one line per system and the ratio.
"""
import re
import sys


# each system's log lines: an epoch's training time, and a validation NDCG@10
YARDSTICK = (r"epoch (\d+): loss \S+, ([\d.]+)s", r"epoch (\d+): full ranking valid NDCG@10 ([\d.]+)")
RECSYS = (r"train epoch (\d+): loss \S+ \(([\d.]+) s", r"train epoch (\d+): validation ([\d.]+)")


def parse(path, patterns):
    """(epoch -> cumulative training seconds, [(epoch, validation ndcg@10)]) from one log."""
    epoch_re, valid_re = patterns
    time, total, valid = {}, 0.0, []
    for line in open(path):
        m = re.match(epoch_re, line)
        if m:
            total += float(m.group(2))
            time[int(m.group(1))] = total
        m = re.match(valid_re, line)
        if m:
            valid.append((int(m.group(1)), float(m.group(2))))
    return time, valid


def reach(time, valid, target):
    for epoch, v in valid:
        if v >= target:
            return epoch, v, time[epoch]
    return None


def main():
    y_time, y_valid = parse(sys.argv[1], YARDSTICK)
    r_time, r_valid = parse(sys.argv[2], RECSYS)
    if not y_valid:
        sys.exit(f"{sys.argv[1]}: no validation line")
    last_epoch, target = y_valid[-1]
    y = reach(y_time, y_valid, target)
    r = reach(r_time, r_valid, target)
    print(f"target: the yardstick's validation NDCG@10 at its epoch {last_epoch}: {target:.4f}")
    print(f"yardstick: reached {y[1]:.4f} at epoch {y[0]} after {y[2]:.1f} s of training "
          f"({y[2] / y[0]:.1f} s per epoch)")
    if r is None:
        best = max((v for _, v in r_valid), default=float("nan"))
        print(f"recsys: not reached in {len(r_time)} epochs ({r_time.get(len(r_time), 0):.1f} s; best {best:.4f})")
        return
    print(f"recsys: reached {r[1]:.4f} at epoch {r[0]} after {r[2]:.1f} s of training ({r[2] / r[0]:.1f} s per epoch)")
    print(f"time to quality, recsys / yardstick: {r[2] / y[2]:.3f}x")


if __name__ == "__main__":
    main()
