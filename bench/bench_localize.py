"""Benchmark: Apollonius localization of 200,000 emissions, and convex layers of 100,000 points.

    .venv/bin/python bench/bench_localize.py [EMISSIONS] [LOOP_SUBSAMPLE] [LAYER_POINTS]

Prints
- emissions/s of algorithms.apollonius.localize (all emissions at once) on a 6-AP site whose clients are
  heard by 3, 4 or 5 APs with 3 dB RSS noise, and the median error against the simulated positions;
- the same with the tool's default position prior (algorithms.regularize) applied after it;
- the same for a per-emission loop of scipy.optimize.least_squares on the same residuals (unknowns x, y and the
  emission's A, started at the strongest AP), timed on LOOP_SUBSAMPLE emissions, and the speed ratio;
- the time of algorithms.convex_layers.convex_layers on LAYER_POINTS Gaussian points, and the layer count.
Run by hand; not part of the tests.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_preprocess import import_plugin

APS = np.array([(0, 0), (120, 0), (240, 0), (0, 120), (120, 120), (240, 120)], dtype=float) + (616500.0, 5449000.0)
A, N, SIGMA = -38.0, 2.6, 3.0


def emissions(count, seed=0):
    """PR columns (emission, AP index, RSS) and true client positions."""
    from wifidensity.algorithms.pathloss import rss_at
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
    """The per-emission alternative: scipy.optimize.least_squares on (x, y, A) for each emission."""
    from scipy.optimize import least_squares
    out = np.empty((len(heard), 2))
    for e in range(len(heard)):
        used = heard.ap[e] >= 0
        points, rss = APS[heard.ap[e, used]], heard.rss[e, used]
        origin = points[0]

        def residual(p):
            d = np.hypot(*(origin + p[:2] - points).T)
            return rss - (p[2] - 10.0 * n * np.log10(np.maximum(d, 1e-6)))

        start = np.array([1.0, 1.0, rss[0]])
        out[e] = origin + least_squares(residual, start).x[:2]
    return out


def main():
    import_plugin()
    from wifidensity.algorithms import apollonius, regularize
    from wifidensity.algorithms.convex_layers import convex_layers
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    sample = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    layer_points = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    emission, ap, rss, clients = emissions(count)
    heard = apollonius.heard_emissions(emission, ap, rss)
    start = time.perf_counter()
    points = apollonius.localize(heard, APS, N)
    vectorized = time.perf_counter() - start
    error = np.hypot(*(points.xy - clients[points.label]).T)
    print(f"apollonius.localize: {len(heard):,} emissions in {vectorized:.2f} s = {len(heard) / vectorized:,.0f} "
          f"emissions/s; median error {np.median(error):.1f} m")
    start = time.perf_counter()
    prior, sigma, _ = regularize.regularize(apollonius.localize(heard, APS, N), heard, APS, N)
    with_prior = time.perf_counter() - start
    error = np.hypot(*(prior.xy - clients[prior.label]).T)
    print(f"  with the position prior (noise measured {sigma:.2f} dB): {with_prior:.2f} s = "
          f"{len(heard) / with_prior:,.0f} emissions/s; median error {np.median(error):.1f} m")

    subset = apollonius.HeardEmissions(heard.label[:sample], heard.ap[:sample], heard.rss[:sample])
    start = time.perf_counter()
    looped = scipy_loop(subset, N)
    loop = time.perf_counter() - start
    loop_error = np.hypot(*(looped - clients[subset.label]).T)
    print(f"scipy least_squares loop: {sample:,} emissions in {loop:.2f} s = {sample / loop:,.0f} emissions/s; "
          f"median error {np.median(loop_error):.1f} m (one start, so it cannot choose between the two "
          "Apollonius points)")
    print(f"speed ratio: {(len(heard) / vectorized) / (sample / loop):.1f}x without the prior, "
          f"{(len(heard) / with_prior) / (sample / loop):.1f}x with it")

    xy = np.random.default_rng(1).normal(size=(layer_points, 2)) * 50.0 + APS[0]
    start = time.perf_counter()
    layers = convex_layers(xy)
    print(f"convex_layers: {layer_points:,} points in {time.perf_counter() - start:.2f} s, {layers.count} layers")


if __name__ == "__main__":
    main()
