"""`make demo`: the whole pipeline on the bundled sample site through qgis_process.bin, a PNG preview, the counts.

Usage: python devtools/demo.py OUTPUT_FOLDER
"""
import json
import sys
from pathlib import Path

from plugin_package import import_plugin_package
from qgis_cli import ROOT, QgisProcess

SAMPLE = ROOT / "resources" / "sample"
SENSOR_SECRET = "demo-site-key"


def pipeline_parameters(out, truth):
    """The pipeline's inputs for the sample site; X_DAY is the simulation's true emission rate per client."""
    counts = truth["counts"]
    randomising = counts["outdoor"] + counts["indoor"]
    x_day = counts["EMISSIONS"] / randomising * 24.0 / counts["WINDOW_HOURS"]
    return {
        "PROBES": SAMPLE / "probes.csv", "APS": SAMPLE / "aps.geojson", "CONNECTIONS": SAMPLE / "connections.csv",
        "START": truth["start"], "END": truth["end"], "X_DAY": round(x_day, 3),
        "reassemble:CLIENT_MAP": out / "client_map.tif", "mldensity:ML_CLIENT_MAP": out / "ml_client_map.tif",
        "fiducial:FIDUCIAL": out / "fiducial.gpkg",
        "count:ZONES": out / "zones.gpkg", "reassemble:SUMMARY": out / "client_summary.csv",
        "localize:LOCALIZATIONS": out / "localizations.gpkg",
    }, x_day


MAPS = (("client_map", "paper flow (Figure 19)"), ("ml_client_map", "maximum likelihood (beyond the paper)"))


def render_previews(out, window, totals):
    """<map>.png for each client map: a QGIS print layout of the map (styled), the fiducial region and the APs,
    with legend, scale bar, north arrow and a title giving the window and the map's total."""
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    for name, title in MAPS:
        _draw_map(out, name, title, window, totals[name])  # its layers go before QGIS shuts down (else a crash)
    app.exitQgis()


def _draw_map(out, name, title, window, total):
    from qgis.core import QgsProject, QgsRasterLayer, QgsVectorLayer
    import_plugin_package()
    from wifidensity.plugin.display.print_layout import export_png, map_page
    from wifidensity.plugin.display.styles import fit_density_ramp
    from wifidensity.plugin.paths import STYLE_DIR
    project = QgsProject()
    clients = QgsRasterLayer(str(out / f"{name}.tif"), "Clients per m²")
    clients.loadNamedStyle(str(STYLE_DIR / "density.qml"))
    fit_density_ramp(clients)
    fiducial = QgsVectorLayer(str(out / "fiducial.gpkg"), "Fiducial region", "ogr")
    fiducial.loadNamedStyle(str(STYLE_DIR / "fiducial.qml"))
    aps = QgsVectorLayer(str(SAMPLE / "aps.geojson"), "Access points", "ogr")
    aps.loadNamedStyle(str(STYLE_DIR / "aps.qml"))
    layers = [aps, fiducial, clients]
    project.addMapLayers(layers)
    start, end = (w.replace("T", " ")[:16] for w in window)
    page = map_page(project, layers, f"Client density of the sample site: {title}",
                    f"Window {start} to {end[11:]} UTC; {total:.1f} clients in the map", crs=clients.crs())
    export_png(page, out / f"{name}.png")


def score_map(cli, out, name):
    """wifidensity:score of one client map against the sample's true clients, inside the fiducial region."""
    code, scored, log = cli.run("wifidensity:score", INPUT=out / f"{name}.tif",
                                TRUTH=SAMPLE / "truth_clients.geojson", POLYGON=out / "fiducial.gpkg")
    if code != 0 or scored is None:
        sys.exit(f"Scoring {name} failed:\n{log}")
    return scored["results"]


def main(out):
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    truth = json.loads((SAMPLE / "truth.json").read_text())
    parameters, x_day = pipeline_parameters(out, truth)
    cli = QgisProcess(out / ".qgis")
    code, result, log = cli.run("wifidensity:pipeline", **parameters)
    if code != 0 or result is None:
        sys.exit(f"The pipeline failed:\n{log}")
    counts = truth["counts"]
    scores = {name: score_map(cli, out, name) for name, _ in MAPS}
    render_previews(out, (truth["start"], truth["end"]), {name: s["ESTIMATED"] for name, s in scores.items()})
    print(f"Outputs in {out}: client_map.tif/.png and ml_client_map.tif/.png (clients/m²), fiducial.gpkg, "
          "zones.gpkg, localizations.gpkg, client_summary.csv")
    print(f"True MAC-randomising clients: {counts['outdoor'] + counts['indoor']} ({counts['outdoor']} outdoor, "
          f"{counts['indoor']} indoor). X_DAY = {x_day:.1f}, the simulation's heard emissions per client per day: "
          "with the true X the total only tests the bookkeeping from PRs to emissions; in the field X is the "
          "unknown (ref [2]: 524).")
    for name, title in MAPS:
        score = scores[name]
        print(f"{title}: {score['ESTIMATED']:.1f} clients ({100 * score['TOTAL_ERROR']:+.1f} %); r = {score['R']:.3f} "
              f"against the true positions (both smoothed 10 m); inside the fiducial region: "
              f"{100 * score['SHARE_ESTIMATED']:.0f} % of the map, {100 * score['SHARE_TRUE']:.0f} % of the truth")
    from_the_sensors(cli, out / "sensors", x_day)


def from_the_sensors(cli, out, x_day):
    """The chain from what sensors write: a simulated site's captures (one pcapng per AP), imported with clock
    synchronisation, through the pipeline, scored against the simulation's truth."""
    out.mkdir(parents=True, exist_ok=True)
    steps = [
        ("wifidensity:simulate", dict(CAPTURES=out / "captures", OUTPUT=out / "simulated.csv",
                                      AP_LAYER=out / "aps.gpkg", CONNECTIONS=out / "connections.csv",
                                      TRUTH=out / "truth.gpkg")),
        ("wifidensity:importcaptures", None),
        ("wifidensity:pipeline", dict(PROBES=out / "probes.gpkg", APS=out / "aps.gpkg",
                                      CONNECTIONS=out / "connections.csv", SECRET=SENSOR_SECRET,
                                      X_DAY=round(x_day, 3), FLOW=0,
                                      **{"reassemble:CLIENT_MAP": out / "client_map.tif"})),
        ("wifidensity:score", dict(INPUT=out / "client_map.tif", TRUTH=out / "truth.gpkg")),
    ]
    results = {}
    for algorithm, parameters in steps:
        if parameters is None:  # one INPUT=... per capture file, as on the command line
            captures = sorted((out / "captures").glob("*.pcapng"))
            args = ["--json", "run", algorithm, "--", *(f"INPUT={c}" for c in captures), f"SECRET={SENSOR_SECRET}",
                    "CLOCK_SYNC=true", f"OUTPUT={out / 'probes.gpkg'}"]
            done = cli.call(*args)
            code, payload, log = done.returncode, json.loads(done.stdout or "null"), done.stderr
        else:
            code, payload, log = cli.run(algorithm, **parameters)
        if code != 0 or payload is None:
            sys.exit(f"{algorithm} failed:\n{log}")
        results[algorithm] = payload["results"]
    imported, score = results["wifidensity:importcaptures"], results["wifidensity:score"]
    print(f"From the sensors ({out}): {imported['SENSORS']} captures, {imported['FRAMES']} frames, "
          f"{imported['PROBES']} probe requests imported ({imported['DROPPED_BAD_FCS']} bad FCS, "
          f"{imported['DROPPED_DUPLICATES']} duplicates dropped); paper flow: {score['ESTIMATED']:.1f} clients "
          f"for {score['TRUE']:.0f} true, r = {score['R']:.3f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo_output")
