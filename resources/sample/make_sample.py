"""Write the bundled sample site (simulated, with ground truth) into this folder, or into the folder given.

    .venv/bin/python resources/sample/make_sample.py [FOLDER]

probes.csv (time, ap_id, mac, rss), aps.geojson (ap_id, indoor; EPSG:32633), connections.csv (mac, ap_id:
GDAL cannot open a CSV of one column), truth_clients.geojson (kind, mac, emissions) and truth.json (the true
counts and the window).
"""
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from algorithms.core.timeparse import to_iso  # noqa: E402
from algorithms.twin.simulate import sample_config, simulate  # noqa: E402 (after the path set-up)


def write_points(path, xy, properties, crs):
    """A GeoJSON point layer in a projected CRS (named by the GeoJSON 2008 'crs' member, which GDAL reads)."""
    epsg = crs.split(":")[1]
    features = [{"type": "Feature", "properties": props,
                 "geometry": {"type": "Point", "coordinates": [round(float(x), 2), round(float(y), 2)]}}
                for (x, y), props in zip(xy, properties)]
    collection = {"type": "FeatureCollection",
                  "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
                  "features": features}
    path.write_text(json.dumps(collection, indent=1) + "\n", encoding="utf-8")


def write_csv(path, columns):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        writer.writerows(zip(*columns.values()))


def make_sample(folder):
    config = sample_config()
    site = simulate(config)
    folder.mkdir(parents=True, exist_ok=True)
    probes = site.probes
    write_csv(folder / "probes.csv", {"time": to_iso(probes.time), "ap_id": probes.ap_id, "mac": probes.mac,
                                      "rss": probes.rss.astype(int)})
    write_csv(folder / "connections.csv", {"mac": site.connections, "ap_id": site.connection_ap})
    write_points(folder / "aps.geojson", site.aps.xy,
                 [{"ap_id": str(a), "indoor": bool(i)} for a, i in zip(site.aps.ids, site.aps.indoor)], config.crs)
    write_points(folder / "truth_clients.geojson", site.truth.client_xy,
                 [{"kind": str(k), "mac": str(m), "emissions": int(e)}
                  for k, m, e in zip(site.truth.kind, site.truth.client_mac, site.truth.emissions)], config.crs)
    end = config.start + config.window_hours * 3600
    truth = {"start": str(to_iso(config.start)), "end": str(to_iso(end)), "crs": config.crs,
             "model": {"A": config.a, "n": config.n, "sigma_rss": config.sigma_rss, "floor": config.floor,
                       "reception": config.reception, "seed": config.seed},
             "counts": site.truth.counts}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return site


if __name__ == "__main__":
    make_sample(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
