"""Benchmark: the bowl of 1,000,000 PRs at 8 APs onto a 1000 x 1000 grid of 1 m pixels.

    .venv/bin/python bench/bench_bowl.py [PRS] [HEATMAP_POINTS]

Prints the bowl's time (algorithms.bowl.bowl, best of 3), and its speed-up against
- a naive per-PR numpy loop (each PR's ring evaluated on the whole grid and added), timed on a subsample of
  PRs and scaled linearly to PRS;
- QGIS's own heatmap (qgis:heatmapkerneldensityestimation, quartic kernel, radius 30 m, 1 m pixels) run
  through processing in this process on a point layer over the same 1000 x 1000 m square, with
  HEATMAP_POINTS points (default PRS) and scaled linearly to PRS if fewer are given.
Run by hand; not part of the tests.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processing_session import start_processing

SIDE = 1000
APS = 8
RADIUS = 30.0


def site(prs, seed=0):
    """8 APs over the square and PRs from clients spread around its centre (integer RSS, 2 dB noise)."""
    from wifidensity.algorithms.core.grid import Grid
    from wifidensity.algorithms.core.records import AccessPoints
    from wifidensity.algorithms.paper.pathloss import rss_at
    rng = np.random.default_rng(seed)
    ap_xy = rng.uniform(150, SIDE - 150, (APS, 2))
    aps = AccessPoints(np.array([f"AP{i}" for i in range(APS)], dtype=object), ap_xy, np.zeros(APS, bool),
                       "EPSG:32633")
    heard_by = rng.integers(0, APS, prs)
    clients = np.clip(rng.normal(SIDE / 2, SIDE / 6, (prs, 2)), RADIUS, SIDE - RADIUS)
    distance = np.maximum(np.hypot(*(clients - ap_xy[heard_by]).T), 1.0)
    rss = np.round(rss_at(distance) + rng.normal(0, 2, prs))
    grid = Grid(0.0, float(SIDE), 1.0, SIDE, SIDE, "EPSG:32633")
    return aps, aps.ids[heard_by], rss, clients, grid


def best_of(runs, work):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def naive_per_pr(aps, ap_ids, rss, grid):
    """The textbook way: every PR's normalised ring on the full grid, one after the other."""
    from wifidensity.algorithms.paper.pathloss import distance_from_rss, distance_spread
    from wifidensity.algorithms.paper.radial import ring_integral
    xs, ys = grid.centres()
    rows = aps.index_of(ap_ids)
    distance_maps = [np.hypot(xs[None, :] - x, ys[:, None] - y) for x, y in aps.xy]
    total = np.zeros(grid.shape)
    for row, value in zip(rows, rss):
        mu = distance_from_rss(value)
        sigma = distance_spread(mu)
        total += np.exp(-0.5 * ((distance_maps[row] - mu) / sigma) ** 2) / ring_integral(mu, sigma)
    return total


def heatmap_seconds(points):
    """qgis:heatmapkerneldensityestimation over ``points`` (n x 2, metres) with 1 m pixels."""
    import processing
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsVectorLayer
    layer = QgsVectorLayer("Point?crs=EPSG:32633", "points", "memory")
    corners = np.array([[RADIUS, RADIUS], [SIDE - RADIUS, SIDE - RADIUS]])  # pin the extent to the square
    features = []
    for x, y in np.vstack([corners, points]):
        feature = QgsFeature()
        feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    output = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bench_heatmap.tif")
    start = time.perf_counter()
    result = processing.run("qgis:heatmapkerneldensityestimation",
                            {"INPUT": layer, "RADIUS": RADIUS, "PIXEL_SIZE": 1.0, "KERNEL": 0, "OUTPUT_VALUE": 0,
                             "OUTPUT": output})
    seconds = time.perf_counter() - start
    from osgeo import gdal
    raster = gdal.Open(result["OUTPUT"])
    return seconds, (raster.RasterXSize, raster.RasterYSize)


def main():
    prs = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    heatmap_points = int(sys.argv[2]) if len(sys.argv) > 2 else prs
    app, _provider = start_processing()
    from wifidensity.algorithms.paper.bowl import bowl
    aps, ap_ids, rss, clients, grid = site(prs)
    print(f"{prs} PRs at {APS} APs onto {grid.width} x {grid.height} pixels of 1 m")

    bowl_s, density = best_of(3, lambda: bowl(ap_ids, rss, aps, grid))
    print(f"bowl: {bowl_s:.3f} s (best of 3); P = {density.tags['TOTAL']:.0f}, "
          f"in the extent {density.mass():.1f}, outside {float(density.tags['MASS_OUTSIDE']):.1f}")

    sample = 200
    naive_s, partial = best_of(1, lambda: naive_per_pr(aps, ap_ids[:sample], rss[:sample], grid))
    naive_full = naive_s * prs / sample
    engine = bowl(ap_ids[:sample], rss[:sample], aps, grid).values
    gap = np.abs(engine - partial).max() / partial.max()
    print(f"naive per-PR loop: {naive_s:.2f} s for {sample} PRs -> {naive_full:.0f} s for {prs} (scaled); "
          f"bowl is {naive_full / bowl_s:.0f}x faster (max difference on the sample {gap:.1e} of the peak: "
          f"the naive loop samples pixel centres, the bowl integrates pixels)")

    heat_s, size = heatmap_seconds(clients[:heatmap_points])
    heat_full = heat_s * prs / heatmap_points
    scaled = "" if heatmap_points == prs else f" -> {heat_full:.1f} s for {prs} (scaled)"
    print(f"QGIS heatmap (radius {RADIUS:g} m, {size[0]} x {size[1]} pixels): {heat_s:.2f} s for "
          f"{heatmap_points} points{scaled}; bowl is {heat_full / bowl_s:.1f}x faster")


if __name__ == "__main__":
    main()
