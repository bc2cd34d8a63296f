"""`make demo`: the whole pipeline on the bundled sample site through qgis_process.bin, a PNG preview, the counts.

Usage: python devtools/demo.py OUTPUT_FOLDER
"""
import json
import sys
from pathlib import Path

from plugin_package import import_plugin_package
from qgis_cli import ROOT, QgisProcess

SAMPLE = ROOT / "resources" / "sample"


def pipeline_parameters(out, truth):
    """The pipeline's inputs for the sample site; X_DAY is the simulation's true emission rate per client."""
    counts = truth["counts"]
    randomising = counts["outdoor"] + counts["indoor"]
    x_day = counts["EMISSIONS"] / randomising * 24.0 / counts["WINDOW_HOURS"]
    return {
        "PROBES": SAMPLE / "probes.csv", "APS": SAMPLE / "aps.geojson", "CONNECTIONS": SAMPLE / "connections.csv",
        "START": truth["start"], "END": truth["end"], "X_DAY": round(x_day, 3),
        "reassemble:CLIENT_MAP": out / "client_map.tif", "fiducial:FIDUCIAL": out / "fiducial.gpkg",
        "count:ZONES": out / "zones.gpkg", "reassemble:SUMMARY": out / "client_summary.csv",
        "localize:LOCALIZATIONS": out / "localizations.gpkg",
    }, x_day


def render_preview(out):
    """client_map.png: the client map (styled), the fiducial region and the APs, drawn by QGIS."""
    from qgis.core import QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    _draw_layers(out)  # its layers are gone before QGIS shuts down (else a crash at exit)
    app.exitQgis()


def _draw_layers(out):
    from qgis.core import QgsRasterLayer, QgsVectorLayer
    import_plugin_package()
    from wifidensity.plugin.paths import STYLE_DIR
    from wifidensity.plugin.rasters import fit_density_ramp
    from wifidensity.plugin.render import render_png
    clients = QgsRasterLayer(str(out / "client_map.tif"), "clients per m²")
    clients.loadNamedStyle(str(STYLE_DIR / "density.qml"))
    fit_density_ramp(clients)
    fiducial = QgsVectorLayer(str(out / "fiducial.gpkg"), "fiducial region", "ogr")
    fiducial.loadNamedStyle(str(STYLE_DIR / "fiducial.qml"))
    aps = QgsVectorLayer(str(SAMPLE / "aps.geojson"), "access points", "ogr")
    aps.loadNamedStyle(str(STYLE_DIR / "aps.qml"))
    render_png(out / "client_map.png", [aps, fiducial, clients], size=(1000, 700))


def main(out):
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    truth = json.loads((SAMPLE / "truth.json").read_text())
    parameters, x_day = pipeline_parameters(out, truth)
    cli = QgisProcess(out / ".qgis")
    code, result, log = cli.run("wifidensity:pipeline", **parameters)
    if code != 0 or result is None:
        sys.exit(f"The pipeline failed:\n{log}")
    render_preview(out)
    code, scored, log = cli.run("wifidensity:score", INPUT=out / "client_map.tif",
                                TRUTH=SAMPLE / "truth_clients.geojson", POLYGON=out / "fiducial.gpkg")
    if code != 0 or scored is None:
        sys.exit(f"Scoring the map failed:\n{log}")
    score = scored["results"]
    counts = truth["counts"]
    print(f"Outputs in {out}: client_map.tif (clients/m²), client_map.png, fiducial.gpkg, zones.gpkg, "
          "localizations.gpkg, client_summary.csv")
    print(f"X_DAY = {x_day:.1f}: the simulation's heard emissions per client per day. With the true X the count "
          "only tests the bookkeeping from PRs to emissions; in the field X is the unknown (ref [1]: 524).")
    print(f"Estimated clients: {score['ESTIMATED']:.1f}   true MAC-randomising clients: {score['TRUE']:.0f} "
          f"({counts['outdoor']} outdoor, {counts['indoor']} indoor)   error: {100 * score['TOTAL_ERROR']:+.1f} %")
    print(f"Map against the true positions (both smoothed 10 m): r = {score['R']:.3f}; clients inside the "
          f"fiducial region: {100 * score['SHARE_ESTIMATED']:.0f} % of the map, {100 * score['SHARE_TRUE']:.0f} % "
          "of the truth")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo_output")
