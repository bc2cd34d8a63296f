"""Benchmark: Apollonius localization of 200,000 emissions, and convex layers of 100,000 points.

    .venv/bin/python bench/bench_localize.py [EMISSIONS] [LOOP_SUBSAMPLE] [LAYER_POINTS] [--before REVISION]

Prints
- emissions/s of algorithms.apollonius.localize (all emissions at once) on a 6-AP site whose clients are
  heard by 3, 4 or 5 APs with 3 dB RSS noise, and the median error against the simulated positions (rates are
  wall-clock; the CPU time beside them tells how much other processes slowed the run down);
- the same with the tool's default position prior (algorithms.regularize) applied after it (the time includes
  the localization);
- with --before REVISION (a git revision of this repository, e.g. the commit before a change): the same two
  figures for the algorithms of that revision, run in this process on the same emissions, and the speed-ups;
- the same for a per-emission loop of scipy.optimize.least_squares on the same residuals (unknowns x, y and the
  emission's A, started at the strongest AP), timed on LOOP_SUBSAMPLE emissions, and the speed ratios, which
  compare across machines;
- the targets (100,000 emissions/s without the prior, 50,000 with it) and whether they are met, in wall and in
  CPU time (on a machine busy with other work the wall-clock rate falls, the CPU-time rate much less);
- the time of algorithms.convex_layers.convex_layers on LAYER_POINTS Gaussian points, and the layer count.
Each localization is run once on 100 emissions first: the first call imports scipy.spatial (a one-off 0.1 s).
Run by hand; not part of the tests.
"""
import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processing_session import ROOT

APS = np.array([(0, 0), (120, 0), (240, 0), (0, 120), (120, 120), (240, 120)], dtype=float) + (616500.0, 5449000.0)
A, N, SIGMA = -38.0, 2.6, 3.0
TARGETS = {"without the prior": 100_000, "with the prior": 50_000}


def emissions(count, seed=0):
    """PR columns (emission, AP index, RSS) and true client positions."""
    from wifidensity.algorithms.paper.pathloss import rss_at
    rng = np.random.default_rng(seed)
    clients = APS.min(axis=0) + rng.uniform((10, 10), (230, 110), (count, 2))
    distance = np.hypot(*(clients[:, None, :] - APS[None]).transpose(2, 0, 1))
    k = rng.integers(3, 6, count)
    nearest = np.argsort(distance, axis=1)
    heard = np.arange(len(APS))[None, :] < k[:, None]
    emission = np.repeat(np.arange(count), k)
    ap = nearest[heard]
    rss = np.round(rss_at(distance[np.arange(count)[:, None], nearest][heard], A, N) +
                   rng.normal(0, SIGMA, heard.sum()))
    return emission, ap, rss, clients


def scipy_loop(heard, n):
    """The per-emission alternative: scipy.optimize.least_squares on (x, y, A) for each emission.
    Returns (labels, positions)."""
    from scipy.optimize import least_squares
    out = np.empty((len(heard), 2))
    for e in range(len(heard)):
        used = heard.ap[e] >= 0
        points, rss = APS[heard.ap[e, used]], heard.rss[e, used]
        origin = points[0]

        def residual(p, origin, points, rss):
            d = np.hypot(*(origin + p[:2] - points).T)
            return rss - (p[2] - 10.0 * n * np.log10(np.maximum(d, 1e-6)))

        start = np.array([1.0, 1.0, rss[0]])
        out[e] = origin + least_squares(residual, start, args=(origin, points, rss)).x[:2]
    return heard.label, out


def localizers(apollonius, regularize):
    """The two runs timed: (name, function of heard returning (labels, positions, note))."""
    def pure(heard):
        points = apollonius.localize(heard, APS, N)
        return points.label, points.xy, ""

    def with_prior(heard):
        points, sigma, _ = regularize.regularize(apollonius.localize(heard, APS, N), heard, APS, N)
        return points.label, points.xy, f" (noise measured {sigma:.2f} dB)"

    return {"without the prior": pure, "with the prior": with_prior}


def measure(label, run, heard, clients):
    """Time run(heard), print its emissions/s and median error against ``clients``; return emissions/s of wall
    and of CPU time."""
    start, cpu = time.perf_counter(), time.process_time()
    labels, xy, note = run(heard)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    error = np.median(np.hypot(*(xy - clients[labels]).T))
    rate = len(labels) / seconds
    print(f"{label}{note}: {len(labels):,} emissions in {seconds:.2f} s (CPU {cpu:.2f} s) = {rate:,.0f} "
          f"emissions/s; median error {error:.1f} m")
    return rate, len(labels) / cpu


def algorithms_at(revision):
    """(apollonius, regularize) of git ``revision`` of this repository, imported as package 'before'."""
    folder = tempfile.mkdtemp(prefix="bench_localize_")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "algorithms"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    package = types.ModuleType("before")
    package.__path__ = [folder]
    sys.modules["before"] = package
    return (importlib.import_module("before.algorithms.apollonius"),
            importlib.import_module("before.algorithms.regularize"))


def time_localizers(title, modules, heard, clients):
    """Warm up, then measure both runs of ``modules`` (apollonius, regularize); returns {name: (emissions/s of
    wall time, of CPU time)}."""
    warm_up = type(heard)(heard.label[:100], heard.ap[:100], heard.rss[:100])
    rates = {}
    for name, run in localizers(*modules).items():
        run(warm_up)
        rates[name] = measure(f"{title} {name}", run, heard, clients)
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("emissions", nargs="?", type=int, default=200_000)
    parser.add_argument("loop_subsample", nargs="?", type=int, default=2_000)
    parser.add_argument("layer_points", nargs="?", type=int, default=100_000)
    parser.add_argument("--before", metavar="REVISION", help="also time the algorithms of this git revision")
    args = parser.parse_args()
    from wifidensity.algorithms.paper import apollonius, regularize
    from wifidensity.algorithms.paper.convex_layers import convex_layers
    emission, ap, rss, clients = emissions(args.emissions)
    heard = apollonius.heard_emissions(emission, ap, rss)
    rates = time_localizers("localize", (apollonius, regularize), heard, clients)
    if args.before:
        before = time_localizers(f"localize at {args.before}", algorithms_at(args.before), heard, clients)
        print("speed-up over " + args.before + " (wall, CPU time): " +
              ", ".join(f"{rates[name][0] / before[name][0]:.1f}x, {rates[name][1] / before[name][1]:.1f}x {name}"
                        for name in rates))

    subset = apollonius.HeardEmissions(heard.label[:args.loop_subsample], heard.ap[:args.loop_subsample],
                                       heard.rss[:args.loop_subsample])
    loop, _ = measure("scipy least_squares loop (one start, so it cannot choose between the two Apollonius points)",
                      lambda h: scipy_loop(h, N) + ("",), subset, clients)
    print("speed ratio to the loop: " + ", ".join(f"{wall / loop:.1f}x {name}" for name, (wall, _) in rates.items()))
    for name, target in TARGETS.items():
        wall, cpu = rates[name]
        print(f"target {target:,}/s {name}: {'met' if wall >= target else 'NOT met'} in wall time, "
              f"{'met' if cpu >= target else 'NOT met'} in CPU time ({cpu:,.0f}/s; the two agree on an idle machine)")

    xy = np.random.default_rng(1).normal(size=(args.layer_points, 2)) * 50.0 + APS[0]
    start = time.perf_counter()
    layers = convex_layers(xy)
    print(f"convex_layers: {args.layer_points:,} points in {time.perf_counter() - start:.2f} s, {layers.count} layers")


if __name__ == "__main__":
    main()
