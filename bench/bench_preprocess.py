"""Benchmark: preprocess on 1,000,000 probe rows end to end through processing.run, read from a CSV and from the
same table as a GeoPackage, against QGIS's own native:statisticsbycategories grouping the CSV by MAC (what an
analyst would do by hand).

    .venv/bin/python bench/bench_preprocess.py [ROWS]

Prints the time and rows/s of each and the ratio of preprocess (CSV input) to statisticsbycategories. Run by
hand (make bench); not part of the tests.
"""
import csv
import os
import sys
import tempfile
import time
from dataclasses import replace

from processing_session import start_processing, timed_run


def write_probes(path, gpkg, rows):
    """A simulated site scaled so it holds about ``rows`` PRs, written as CSV to ``path`` and as a GeoPackage
    table to ``gpkg``; returns the row count."""
    from probe_files import write_probe_table

    from wifidensity.algorithms.core.timeparse import to_iso
    from wifidensity.algorithms.twin.simulate import sample_config, simulate
    config = sample_config(seed=1)
    scale = rows / 15_000
    config = replace(config, crowds=[(x, y, s, int(c * scale)) for x, y, s, c in config.crowds],
                     indoor_clients=int(config.indoor_clients * scale), iot_devices=int(config.iot_devices * scale),
                     connected_clients=int(config.connected_clients * scale))
    probes = simulate(config).probes.take(slice(0, rows))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["time", "ap_id", "mac", "rss"])
        writer.writerows(zip(to_iso(probes.time), probes.ap_id, probes.mac, probes.rss.astype(int)))
    write_probe_table(gpkg, probes)
    return len(probes)


def statistics_by_categories():
    """native:statisticsbycategories (QGIS 3.26+; qgis:statisticsbycategories before)."""
    from qgis.core import QgsApplication
    registry = QgsApplication.processingRegistry()
    return next(name for name in ("native:statisticsbycategories", "qgis:statisticsbycategories")
                if registry.algorithmById(name) is not None)


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    app, provider = start_processing()
    with tempfile.TemporaryDirectory() as folder:
        table, gpkg = os.path.join(folder, "probes.csv"), os.path.join(folder, "probes.gpkg")
        began = time.perf_counter()
        count = write_probes(table, gpkg, rows)
        print(f"wrote {count} rows in {time.perf_counter() - began:.1f} s ({os.path.getsize(table) / 1e6:.0f} MB "
              f"CSV, {os.path.getsize(gpkg) / 1e6:.0f} MB GeoPackage)")
        seconds = {}
        for kind, source in (("CSV", table), ("GeoPackage", gpkg)):
            seconds[kind], result = timed_run("wifidensity:preprocess", {
                "INPUT": source, "OUTPUT": os.path.join(folder, f"cr_{kind}.csv")})
            print(f"wifidensity:preprocess ({kind} input): {seconds[kind]:.2f} s, {count / seconds[kind]:,.0f} rows/s "
                  f"(P = {result['P']}, EMISSIONS = {result['EMISSIONS']}, CF = {result['CF']})")
        theirs, _ = timed_run(statistics_by_categories(), {
            "INPUT": table, "VALUES_FIELD_NAME": "rss", "CATEGORIES_FIELD_NAME": ["mac"],
            "OUTPUT": os.path.join(folder, "by_mac.csv")})
        print(f"{statistics_by_categories()} by mac: {theirs:.2f} s, {count / theirs:,.0f} rows/s")
        print(f"ratio preprocess (CSV input) / statisticsbycategories time: {seconds['CSV'] / theirs:.2f}")
    del provider
    app.exitQgis()


if __name__ == "__main__":
    main()
