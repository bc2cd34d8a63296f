"""Benchmark: import 1,000,000 simulated probe requests from pcapng captures (one file per AP, radiotap, with a
busy channel's other frames mixed in) with algorithms.captures, against a per-packet loop of dpkt (an
independent parser) doing the same extraction.

    .venv/bin/python bench/bench_captures.py [PROBES] [BASELINE_FRAMES]

Prints frames/s of both (the science alone: the median of three runs, with their CPU times) and their ratio. Our import
counts everything it does: parsing, dropping bad-FCS, signal-less and duplicate frames, hashing the MACs,
sorting, the ISO times. The dpkt loop only parses and collects time, sensor, transmitter, RSS, sequence number
and frequency of the probe requests; it runs on the first BASELINE_FRAMES frames of each file (default 100,000;
0: all), rates being per frame; then the tool itself through processing.run, writing a GeoPackage and a
CSV. Run by hand; not a test.
"""
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from processing_session import start_processing, timed_run

RUNS = 3


def scaled_site(probes):
    """The sample site with its crowds scaled to about ``probes`` PRs, simulated at one instant per emission."""
    from wifidensity.algorithms.twin.simulate import sample_config, simulate
    config = sample_config(seed=1)
    scale = probes / 15_000
    config = replace(config, crowds=[(x, y, s, int(c * scale)) for x, y, s, c in config.crowds],
                     indoor_clients=int(config.indoor_clients * scale), iot_devices=int(config.iot_devices * scale),
                     connected_clients=int(config.connected_clients * scale), burst=0.0)
    return simulate(config)


def _sequence_number(frag_seq):
    """dpkt reads Sequence Control big-endian; 802.11 sends it little-endian (IEEE 802.11-2020 §9.2.2)."""
    return ((frag_seq & 0xFF) << 8 | frag_seq >> 8) >> 4


def dpkt_extract(paths, limit):
    """Per-packet dpkt loop: (frames read, probe rows) with the same fields as the import extracts."""
    import dpkt
    frames, rows = 0, []
    for path in paths:
        sensor = Path(path).stem
        with open(path, "rb") as handle:
            for number, (stamp, data) in enumerate(dpkt.pcapng.Reader(handle)):
                if limit and number >= limit:
                    break
                frames += 1
                radio = dpkt.radiotap.Radiotap(data)
                frame = radio.data
                if frame.type != 0 or frame.subtype != 4:
                    continue
                if radio.flags_present and radio.flags.val & 0x40:
                    continue
                if not radio.ant_sig_present:
                    continue
                rows.append((stamp, sensor, frame.mgmt.src, radio.ant_sig.db, _sequence_number(frame.mgmt.frag_seq),
                             radio.channel.freq if radio.channel_present else -1))
    return frames, rows


def main():
    probes = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    from wifidensity.algorithms.captures.importer import import_captures
    from wifidensity.algorithms.captures.rehearsal import write_site_captures
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        site = scaled_site(probes)
        paths = write_site_captures(site, folder, busy=True)
        size = sum(os.path.getsize(p) for p in paths)
        print(f"simulated {len(site.probes)} PRs and wrote {len(paths)} pcapng files ({size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - began:.1f} s")
        runs = []
        for _ in range(RUNS):
            began, cpu = time.perf_counter(), time.process_time()
            result = import_captures(paths, secret="benchmark")
            runs.append((time.perf_counter() - began, time.process_time() - cpu))
        ours = sorted(wall for wall, _ in runs)[RUNS // 2]
        frames = result.counts["FRAMES"]
        print(f"algorithms.captures, median of {RUNS} runs: {ours:.2f} s, {frames / ours:,.0f} frames/s, "
              f"{result.counts['PROBES'] / ours:,.0f} probes/s ({frames} frames, {result.counts['PROBES']} probe "
              f"rows); runs {', '.join(f'{w:.2f} s' for w, _ in runs)}; CPU time of the process "
              f"{', '.join(f'{c:.2f} s' for _, c in runs)} (on a shared machine, wall time also counts others' load)")
        began = time.perf_counter()
        their_frames, rows = dpkt_extract(paths, limit)
        theirs = time.perf_counter() - began
        print(f"dpkt per-packet loop: {theirs:.2f} s, {their_frames / theirs:,.0f} frames/s ({their_frames} frames, "
              f"{len(rows)} probe rows before dropping duplicates)")
        print(f"ratio of frame rates, algorithms.captures / dpkt: {frames / ours / (their_frames / theirs):.1f}")
        app, provider = start_processing()
        for extension in ("gpkg", "csv"):
            tool, tool_result = timed_run("wifidensity:importcaptures", {
                "INPUT": paths, "SECRET": "benchmark", "OUTPUT": os.path.join(folder, f"probes.{extension}")})
            print(f"wifidensity:importcaptures through processing.run, writing .{extension}: {tool:.2f} s, "
                  f"{tool_result['FRAMES'] / tool:,.0f} frames/s ({tool_result['PROBES']} probe rows); ratio to the "
                  f"dpkt loop: {tool_result['FRAMES'] / tool / (their_frames / theirs):.1f}")
        del provider
        app.exitQgis()


if __name__ == "__main__":
    main()
