"""Benchmark: a simulated week in one season run against the README's loop of qgis_process per window.

The week: the sample site, 56 windows of 3 h from Monday 00:00 UTC, crowds following a daily cycle
(algorithms/simulate.season_configs), at least a million PRs, written as a GeoPackage. Timed in one run:

1. the season: the table read once with the plugin's reader, then every window with WORKERS=2 (the engine,
   algorithms/season/runner.py; ``--season qgis_process`` times ``qgis_process.bin run wifidensity:season`` instead);
2. the loop: ``qgis_process.bin run wifidensity:pipeline`` per window, as the README says (K windows spread
   over the week, their mean times 56 is the loop's time; ``--loop-windows 56`` runs them all), and their maps
   checked against the season's, pixel for pixel;
3. one window's work (the window nearest 20k PRs, 1 m pixels, FLOW=both): the model through processing.run in
   this process (CPU seconds) against the flow in a worker;
4. one window's cost in a 1-week and in a 4-week table: the week's windows from the week alone and from 4 weeks
   that begin with it (the same two workers, already up), total time over windows, best of two alternated runs.

    .venv/bin/python bench/bench_season.py [--loop-windows K] [--season engine|qgis_process] [--weeks W]
                                           [--estimator list-mode|counts] [--radio-each-window]

``--estimator`` is the maximum-likelihood map's (ML_ESTIMATOR, the same in the season and the loop; default
list-mode, which fits the radio). By default the season fits the radio once, on its busiest window
(RADIO_ONCE), and the loop is given that radio table (RADIO), as the README says for a loop; with
``--radio-each-window`` the season fits it in every window (RADIO_ONCE off) and the loop runs the pipeline at
its defaults, which does the same. ``--weeks 0`` leaves out step 4, which maps with the week's radio.

Prints each figure and the ratios (targets: loop / season >= 5 on 2 cores; 4-week / 1-week <= 1.2), in wall
seconds and, since a shared machine's load moves wall times, in CPU seconds too (this process, the workers'
windows, the qgis_process children). Run by hand (make bench); not part of the tests.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from processing_session import ROOT, start_processing

sys.path.insert(0, str(ROOT / "devtools"))

WINDOWS_PER_WEEK = 56
MONDAY = 1717372800.0            # 2024-06-03T00:00:00Z
EMISSIONS_PER_CLIENT = 80.0      # mean emissions of a client in 3 h: about 18k PRs per window on average
X_DAY = EMISSIONS_PER_CLIENT * 24.0 / 3.0
WORKERS = 2


def simulated_weeks(weeks, seed):
    from wifidensity.algorithms.twin.simulate import sample_config, season_configs, simulate_season
    base = replace(sample_config(), start=MONDAY, emissions_per_client=EMISSIONS_PER_CLIENT)
    return simulate_season(season_configs(base, WINDOWS_PER_WEEK * weeks, seed=seed))


def week_files(folder, week):
    from probe_files import write_ap_layer, write_connections, write_probe_table
    probes, aps, macs, connected_to = week
    return {"PROBES": write_probe_table(folder / "week.gpkg", probes),
            "APS": write_ap_layer(folder / "aps.gpkg", aps, 32633),
            "CONNECTIONS": write_connections(folder / "connections.csv", macs, connected_to)}


def iso(seconds):
    from wifidensity.algorithms.core.timeparse import to_iso
    return str(to_iso([seconds])[0])


def season_engine(files, windows, folder, parameters, radio_once, **where):
    """The season as the tool runs it: the files read once, then the engine. Returns (seconds, read s, report,
    CPU seconds: this process's and the windows' in the workers)."""
    from probe_files import read_with_plugin

    from wifidensity.algorithms.season.runner import SortedProbes, run_season
    began, cpu = time.perf_counter(), time.process_time()
    probes, aps, connections = read_with_plugin(files["PROBES"], files["APS"], files["CONNECTIONS"])
    read = time.perf_counter() - began
    report = run_season(SortedProbes(probes), aps, windows, folder, parameters, connections, radio_once=radio_once,
                        **where)
    return time.perf_counter() - began, read, report, time.process_time() - cpu + sum(report.seconds)


def season_tool(cli, files, windows, folder, model, radio_once):
    """``qgis_process.bin run wifidensity:season`` on the week (the tool's frozen parameter names); the radio
    table it used, if any, as folder/radio.gpkg."""
    began = time.perf_counter()
    code, _, log = cli.run("wifidensity:season", **files, START=iso(windows[0].start), END=iso(windows[-1].end),
                           WINDOW_HOURS=3, X_DAY=X_DAY, WORKERS=WORKERS, OUTPUT_FOLDER=str(folder),
                           TABLE=str(folder / "season.csv"), RADIO_ONCE=radio_once,
                           RADIO_TABLE=str(folder / "radio.gpkg"), **model)
    if code != 0:
        sys.exit(f"wifidensity:season failed (is the tool there yet?):\n{log[-2000:]}")
    return time.perf_counter() - began, None, None, float("nan")


def children_cpu():
    times = os.times()
    return times.children_user + times.children_system


def pipeline_loop(cli, files, windows, folder, model):
    """The README's loop, one qgis_process.bin call per window; returns the seconds and CPU seconds of each."""
    seconds, cpu = [], []
    for window in windows:
        out = folder / window.stamp
        out.mkdir(parents=True)
        outputs = {"reassemble:CLIENT_MAP": out / "clients.tif", "mldensity:ML_CLIENT_MAP": out / "ml_clients.tif",
                   "fiducial:FIDUCIAL": out / "fiducial.gpkg", "localize:LOCALIZATIONS": out / "points.gpkg",
                   "count:ZONES": out / "zones.gpkg", "reassemble:SUMMARY": out / "summary.gpkg"}
        began, used = time.perf_counter(), children_cpu()
        code, _, log = cli.run("wifidensity:pipeline", **files, START=iso(window.start), END=iso(window.end),
                               X_DAY=X_DAY, **outputs, **model)
        seconds.append(time.perf_counter() - began)
        cpu.append(children_cpu() - used)
        if code != 0:
            sys.exit(f"the pipeline failed on {window.stamp}:\n{log[-2000:]}")
    return seconds, cpu


def same_maps(loop_folder, season_folder, windows):
    import numpy as np

    from wifidensity.algorithms.core.geotiff import read_density
    loop_names = {"paper": "clients.tif", "ml": "ml_clients.tif"}
    for window in windows:
        for kind, name in window.map_names().items():
            mine = read_density(str(season_folder / name)).values
            theirs = read_density(str(loop_folder / window.stamp / loop_names[kind])).values
            if not np.array_equal(mine, theirs):
                return False
    return True


def total_difference(loop_folder, report, windows):
    """The largest relative difference between the season's totals (TABLE's clients_paper, clients_ml) and the
    loop's (the Reassembly summary's whole map, the ML map's TOTAL) over ``windows``."""
    from qgis.core import QgsVectorLayer

    from wifidensity.algorithms.core.geotiff import read_density
    from wifidensity.algorithms.paper.reassemble import WHOLE_MAP
    rows = {row["start"]: row for row in report.rows}
    worst = 0.0
    for window in windows:
        out = loop_folder / window.stamp
        summary = QgsVectorLayer(str(out / "summary.gpkg"), "summary", "ogr")
        paper = next(f["clients"] for f in summary.getFeatures() if f["zone"] == WHOLE_MAP)
        ml = float(read_density(str(out / "ml_clients.tif")).tags["TOTAL"])
        row = rows[window.start]
        worst = max(worst, abs(row["clients_paper"] / paper - 1.0), abs(row["clients_ml"] / ml - 1.0))
    return worst


def model_window_cpu(files, window, folder, model):
    """CPU seconds of wifidensity:pipeline through processing.run here on a table holding only ``window``."""
    import processing
    from probe_files import read_with_plugin, write_probe_table

    from wifidensity.algorithms.season.runner import SortedProbes
    folder.mkdir(exist_ok=True)
    probes, _, _ = read_with_plugin(files["PROBES"], files["APS"])
    alone = write_probe_table(folder / "window.gpkg", SortedProbes(probes).rows(window).read())
    outputs = {name: str(folder / f"alone_{name.split(':')[1].lower()}{suffix}") for name, suffix in (
        ("reassemble:CLIENT_MAP", ".tif"), ("mldensity:ML_CLIENT_MAP", ".tif"), ("fiducial:FIDUCIAL", ".gpkg"),
        ("localize:LOCALIZATIONS", ".gpkg"), ("count:ZONES", ".gpkg"), ("reassemble:SUMMARY", ".gpkg"))}
    began = time.process_time()
    processing.run("wifidensity:pipeline", {**files, "PROBES": alone, "START": iso(window.start),
                                            "END": iso(window.end), "X_DAY": X_DAY, **outputs, **model})
    return time.process_time() - began


def per_window_cost(week_probes, aps, connections, windows, folder, scheduler, parameters):
    """(seconds, CPU seconds here and in the workers) per window of a season on ``scheduler``."""
    from wifidensity.algorithms.season.runner import SortedProbes, run_season
    began, cpu = time.perf_counter(), time.process_time()
    report = run_season(SortedProbes(week_probes), aps, windows, folder, parameters, connections,
                        scheduler=scheduler, radio_once=False)
    used = time.process_time() - cpu + sum(report.seconds)
    return (time.perf_counter() - began) / len(windows), used / len(windows)


def main():
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--loop-windows", type=int, default=4, help="windows of the loop to time (default 4)")
    options.add_argument("--season", choices=("engine", "qgis_process"), default="engine")
    options.add_argument("--weeks", type=int, default=4, help="length of the long table (default 4 weeks)")
    options.add_argument("--estimator", choices=("list-mode", "counts"), default="list-mode")
    options.add_argument("--radio-each-window", action="store_true",
                         help="the radio fitted in every window (RADIO_ONCE off; the loop at the pipeline's defaults)")
    arguments = options.parse_args()
    app, provider = start_processing()
    from probe_files import read_radio_table_file, write_radio_table_file
    from qgis_cli import QgisProcess

    from wifidensity.algorithms.season.flow import ESTIMATORS, FlowParameters
    from wifidensity.algorithms.season.runner import SortedProbes, season_windows
    parameters = FlowParameters(x_day=X_DAY, estimator=arguments.estimator)
    model = {"ML_ESTIMATOR": ESTIMATORS.index(arguments.estimator)}
    print(f"maximum-likelihood estimator: {arguments.estimator}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        began = time.perf_counter()
        week = simulated_weeks(1, seed=1)
        files = week_files(folder, week)
        windows = season_windows(MONDAY, MONDAY + WINDOWS_PER_WEEK * 3 * 3600.0)
        counts = SortedProbes(week[0]).counts(windows)
        print(f"week: {len(windows)} windows, {len(week[0]):,} PRs (mean {counts.mean():,.0f}, max {counts.max():,} "
              f"per window), simulated and written in {time.perf_counter() - began:.0f} s")

        radio_once = not arguments.radio_each_window
        cli = QgisProcess(folder / "qgis")
        season_folder = folder / "season"
        if arguments.season == "engine":
            season, read, report, season_cpu = season_engine(files, windows, season_folder, parameters, radio_once,
                                                             workers=WORKERS)
            print(f"season (engine, WORKERS={WORKERS}): {season:.1f} s = {season / len(windows):.2f} s per window "
                  f"(reading the table once {read:.1f} s); CPU per window in the workers: median "
                  f"{statistics.median(report.seconds):.2f} s, max {max(report.seconds):.2f} s; "
                  f"{len(report.unmapped)} windows not mapped, {len(report.empty)} empty")
            radio = report.radio.table if report.radio else None
            if radio is not None:
                model["RADIO"] = write_radio_table_file(folder / "radio.csv", radio)
        else:
            season, _, _, season_cpu = season_tool(cli, files, windows, season_folder, model, radio_once)
            print(f"season (qgis_process.bin run wifidensity:season, WORKERS={WORKERS}): {season:.1f} s")
            radio = read_radio_table_file(season_folder / "radio.gpkg") \
                if (season_folder / "radio.gpkg").exists() else None
            if radio is not None:
                model["RADIO"] = str(season_folder / "radio.gpkg")
        if radio is not None:
            print(f"the radio, fitted once by the season on its busiest window and given to the loop: A = "
                  f"{radio.a:.2f} dBm, n = {radio.n:.3f} ({radio.status})")

        step = max(1, len(windows) // max(1, arguments.loop_windows))
        sampled = [w for w, count in zip(windows[step // 2::step], counts[step // 2::step]) if count][
            :arguments.loop_windows]
        loop, loop_cpu = pipeline_loop(cli, files, sampled, folder / "loop", model)
        loop_total = statistics.mean(loop) * len(windows)
        engine = arguments.season == "engine"
        equal = same_maps(folder / "loop", season_folder, sampled) if engine else "n/a"
        totals = f"{total_difference(folder / 'loop', report, sampled):.1e}" if engine else "n/a"
        print(f"loop (qgis_process.bin run wifidensity:pipeline per window): {len(sampled)} windows timed, "
              f"mean {statistics.mean(loop):.1f} s -> {loop_total:.0f} s for the week; maps equal to the "
              f"season's: {equal}; largest relative difference of the totals: {totals}")
        print(f"ratio loop / season: {loop_total / season:.1f} (target >= 5); in CPU seconds per window: loop "
              f"{statistics.mean(loop_cpu):.2f}, season {season_cpu / len(windows):.2f}, ratio "
              f"{statistics.mean(loop_cpu) * len(windows) / season_cpu:.1f}")

        typical = windows[int(abs(counts - 20_000).argmin())]
        model_cpu = model_window_cpu(files, typical, folder, model)
        flow_cpu = report.seconds[report.computed.index(typical)] if arguments.season == "engine" else float("nan")
        given = "given the season's radio" if "RADIO" in model else "fitting its radio"
        print(f"one window ({int(counts[windows.index(typical)]):,} PRs, 1 m pixels, FLOW=both): the model through "
              f"processing.run, {given}, {model_cpu:.2f} s of work, the flow {flow_cpu:.2f} s (target <= 1.5)")
        if "RADIO" in model:
            alone = {key: value for key, value in model.items() if key != "RADIO"}
            print(f"  the same window through the model at its defaults, fitting its own radio: "
                  f"{model_window_cpu(files, typical, folder / 'defaults', alone):.2f} s of work")

        if arguments.weeks:  # with the week's radio, so that both tables map alike
            flat_cost(arguments.weeks, week, windows, folder, replace(parameters, radio=radio))
    del provider
    app.exitQgis()


def flat_cost(weeks, week, windows, folder, parameters):
    """Step 4: one window's cost in a 1-week table and in a ``weeks``-week table beginning with it."""
    import distributed

    from wifidensity.algorithms.season.dask_runner import local_cluster
    longer = simulated_weeks(weeks, seed=1)  # its first week is the week above
    costs = {"short": [], "long": []}
    with local_cluster(distributed, WORKERS) as cluster:
        for attempt in range(2):  # alternated, best of two: the machine's load drifts
            for name, probes in (("short", week[0]), ("long", longer[0])):
                costs[name].append(per_window_cost(probes, week[1], week[2], windows, folder / f"{name}{attempt}",
                                                   cluster.scheduler_address, parameters))
    (short, short_cpu), (long, long_cpu) = ([min(values) for values in zip(*costs[name])]
                                            for name in ("short", "long"))
    print(f"one window's cost, the week's windows from a 1-week table ({len(week[0]):,} PRs): {short:.2f} s, "
          f"from a {weeks}-week table holding it ({len(longer[0]):,} PRs): {long:.2f} s; ratio "
          f"{long / short:.2f} (target <= 1.2); in CPU seconds {short_cpu:.2f} and {long_cpu:.2f}: ratio "
          f"{long_cpu / short_cpu:.2f} (best of two alternated runs)")


if __name__ == "__main__":
    main()
