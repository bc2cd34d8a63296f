"""Simulated probe tables and AP layers as a user's files, for tests and benchmarks: written with GDAL's Python
bindings, read back with the plugin's own readers (those need QGIS)."""
import csv

import numpy as np


def _dataset(path):
    from osgeo import ogr
    ogr.UseExceptions()
    return ogr.GetDriverByName("GPKG").CreateDataSource(str(path))


def write_probe_table(path, probes, layer="probes"):
    """``probes`` (records.Probes, times in seconds UTC) as a GeoPackage table: time (ISO text with microseconds,
    as importcaptures writes it), ap_id, mac, rss; returns str(path)."""
    from osgeo import ogr

    from wifidensity.algorithms.core.timeparse import to_iso
    dataset = _dataset(path)
    table = dataset.CreateLayer(layer, geom_type=ogr.wkbNone)
    for name, kind in (("time", ogr.OFTString), ("ap_id", ogr.OFTString), ("mac", ogr.OFTString),
                       ("rss", ogr.OFTReal)):
        table.CreateField(ogr.FieldDefn(name, kind))
    definition = table.GetLayerDefn()
    table.StartTransaction()
    for row in zip(to_iso(probes.time), np.asarray(probes.ap_id).astype(str), np.asarray(probes.mac).astype(str),
                   np.asarray(probes.rss, dtype=float)):
        feature = ogr.Feature(definition)
        for index, value in enumerate(row):
            feature.SetField(index, value.item() if hasattr(value, "item") else value)
        table.CreateFeature(feature)
    table.CommitTransaction()
    dataset = None
    return str(path)


def write_ap_layer(path, aps, epsg):
    """``aps`` (records.AccessPoints) as a GeoPackage point layer in EPSG ``epsg`` with fields ap_id and
    indoor (0/1); returns str(path)."""
    from osgeo import ogr, osr
    dataset = _dataset(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(int(epsg))
    layer = dataset.CreateLayer("aps", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("ap_id", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("indoor", ogr.OFTInteger))
    for ap_id, (x, y), indoor in zip(aps.ids, aps.xy, aps.indoor):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("ap_id", str(ap_id))
        feature.SetField("indoor", int(bool(indoor)))
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({float(x)!r} {float(y)!r})"))
        layer.CreateFeature(feature)
    dataset = None
    return str(path)


def write_connections(path, macs, ap_ids):
    """A connections table (CSV: mac, ap_id); returns str(path)."""
    with open(path, "w", encoding="utf-8") as table:
        table.write("mac,ap_id\n" + "".join(f"{mac},{ap}\n" for mac, ap in zip(macs, ap_ids)))
    return str(path)


def read_with_plugin(probes, aps, connections=None, indoor_field="indoor"):
    """(records.Probes, records.AccessPoints, connection MACs or None) of the given files, read once with the
    plugin's readers as its tools read them (needs QGIS and the wifidensity provider registered)."""
    from qgis.core import QgsApplication, QgsProcessingContext

    from wifidensity.plugin.io.columns import read_columns, text_column
    from wifidensity.plugin.io.layers import read_access_points
    from wifidensity.plugin.io.probe_tables import read_probes
    registry = QgsApplication.processingRegistry()
    context = QgsProcessingContext()
    reader = registry.algorithmById("wifidensity:mldensity").create()
    parameters = {"INPUT": str(probes), "APS": str(aps), "INDOOR_FIELD": indoor_field}
    table = read_probes(reader, parameters, context)
    access_points, _ = read_access_points(reader, parameters, context)
    if connections is None:
        return table, access_points, None
    macs = read_columns(registry.algorithmById("wifidensity:preprocess").create(), {"CONNECTIONS": str(connections)},
                        "CONNECTIONS", context, ["mac"])["mac"]
    return table, access_points, text_column(macs, "mac", "CONNECTIONS_MAC_FIELD")


def write_radio_table_file(path, table):
    """A radio_table.RadioTable as a CSV radio table (numbers to the last digit, unknown ones empty)."""
    columns = table.columns()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(columns))
        for row in zip(*columns.values()):
            writer.writerow(["" if isinstance(v, float) and np.isnan(v) else repr(float(v)) if isinstance(v, float)
                             else v for v in row])
    return str(path)


def read_radio_table_file(path):
    """A radio table file (the pipeline's mldensity:RADIO_TABLE) as the tools read it: every field of every row, in
    order, as a radio_table.RadioTable."""
    from qgis.core import QgsVectorLayer

    from wifidensity.algorithms.radio.radio_table import RadioTable
    layer = QgsVectorLayer(str(path), "radio", "ogr")
    names = [name for name in layer.fields().names() if name != "fid"]
    rows = [[None if hasattr(f[name], "isNull") and f[name].isNull() else f[name] for name in names]
            for f in layer.getFeatures()]
    return RadioTable.from_columns({name: np.array(column, dtype=object) for name, column in zip(names, zip(*rows))})
