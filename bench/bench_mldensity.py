"""Benchmark: mldensity on a 1000 x 1000 grid of 1 m pixels, against the bowl density of the same PRs on the
same grid.

1. the counts estimator (MLEM, default iterations and sieve) with 8 APs and 500 (AP, RSS) groups (target < 5 s);
2. the self-calibrating list-mode estimator (listmode_density.ml_listmode at its defaults: radio, gains, standard
   errors and map) on a simulated 700 m site of 16 APs with 10,000 emissions (target < 10 s).

    .venv/bin/python bench/bench_mldensity.py

Prints the times and their ratios to the bowl of the same PRs. Run by hand; not part of the tests.
"""
import time

import numpy as np
import processing_session  # noqa: F401  (same folder: the plugin imported as package wifidensity)


def make_input(rng, aps_count=8, groups=500):
    """AP ids, RSS per PR, APs and grid: APs at random inside a 1 km square, each with consecutive integer RSS
    levels from -35 dBm holding 1-59 PRs each, so that the (AP, RSS) groups number ``groups``."""
    from wifidensity.algorithms.core.grid import Grid
    from wifidensity.algorithms.core.records import AccessPoints
    xy = rng.uniform(150.0, 850.0, (aps_count, 2))
    aps = AccessPoints(np.array([f"AP{i + 1}" for i in range(aps_count)], dtype=object), xy,
                       np.zeros(aps_count, dtype=bool), "EPSG:32633")
    per_ap = np.full(aps_count, groups // aps_count)
    per_ap[:groups % aps_count] += 1
    ap_ids, rss = [], []
    for row, levels in enumerate(per_ap):
        values = -35.0 - np.arange(levels)             # integer dBm from -35 down, one group per level
        counts = rng.integers(1, 60, levels)
        ap_ids += [aps.ids[row]] * int(counts.sum())
        rss.append(np.repeat(values, counts))
    grid = Grid(0.0, 1000.0, 1.0, 1000, 1000, "EPSG:32633")
    return np.array(ap_ids, dtype=object), np.concatenate(rss), aps, grid


def simulated_site():
    """16 APs on a 4 x 4 lattice 200 m apart (jittered), four crowds, 10,000 emissions of randomising clients;
    AP ids, RSS and emission ids of their PRs, the APs and the 1 Mpx grid around them."""
    from wifidensity.algorithms.core.grid import Grid
    from wifidensity.algorithms.twin.simulate import SiteConfig, simulate
    rng = np.random.default_rng(4)
    ap_xy = [(150.0 + 200.0 * (i % 4) + rng.normal(0, 10), 150.0 + 200.0 * (i // 4) + rng.normal(0, 10))
             for i in range(16)]
    config = SiteConfig(ap_xy=ap_xy, crowds=[(300, 300, 40, 120), (650, 500, 60, 150), (450, 750, 30, 110),
                                             (800, 200, 50, 120)], emissions_per_client=20.0, a=-36.0, n=2.5,
                        sigma_rss=3.5, seed=4)
    site = simulate(config)
    probes = site.probes
    return (probes.ap_id, probes.rss, probes.extra["true_emission"], site.aps,
            Grid(0.0, 1000.0, 1.0, 1000, 1000, "EPSG:32633"))


def bench_listmode():
    from wifidensity.algorithms.paper.bowl import bowl
    from wifidensity.algorithms.radio.listmode_density import ml_listmode
    ap_ids, rss, emission, aps, grid = simulated_site()
    print(f"\nlist-mode: grid {grid.width} x {grid.height}, {len(aps)} APs, {len(np.unique(emission))} emissions, "
          f"{len(rss)} PRs")
    start = time.perf_counter()
    bowl(ap_ids, rss, aps, grid, a=-36.0, n=2.5, sigma_rss=3.5)
    bowl_seconds = time.perf_counter() - start
    start = time.perf_counter()
    estimate = ml_listmode(emission, ap_ids, rss, aps, grid)
    seconds = time.perf_counter() - start
    fit = estimate.fit
    print(f"bowl       {bowl_seconds:6.2f} s")
    print(f"list-mode  {seconds:6.2f} s  (calibration: {fit.evaluations} likelihood evaluations, {fit.status}; map "
          f"cells {estimate.emissions.tags['MODEL_CELL']:g} m)  ratio list-mode / bowl = {seconds / bowl_seconds:.2f}")
    print(f"           {fit.message}")


def main():
    from wifidensity.algorithms.paper.bowl import bowl
    from wifidensity.algorithms.radio.mldensity import client_density, ml_emissions
    ap_ids, rss, aps, grid = make_input(np.random.default_rng(1))
    groups = len(set(zip(ap_ids, rss)))
    print(f"grid {grid.width} x {grid.height}, {len(aps)} APs, {groups} (AP, RSS) groups, {len(rss)} PRs")
    start = time.perf_counter()
    bowl(ap_ids, rss, aps, grid, a=-38.0, n=2.6, sigma_rss=3.0)
    bowl_seconds = time.perf_counter() - start
    start = time.perf_counter()
    estimate = ml_emissions(ap_ids, rss, aps, grid, a=-38.0, n=2.6, sigma_rss=3.0)
    client_density(estimate, emissions=len(rss) / 2.0, x=65.5)
    ml_seconds = time.perf_counter() - start
    print(f"bowl       {bowl_seconds:6.2f} s")
    print(f"mldensity  {ml_seconds:6.2f} s  ({estimate.iterations} iterations, model cell "
          f"{estimate.emissions.tags['MODEL_CELL']:g} m)  ratio ml / bowl = {ml_seconds / bowl_seconds:.2f}")
    bench_listmode()


if __name__ == "__main__":
    main()
