"""Writing a tool's result table to the destination of one of its outputs.

A GeoPackage or CSV file destination (also a temporary output, which becomes a temporary GeoPackage) is written
by the fast writers of file_tables.py and registered to load on completion as QGIS does for its sinks; any
other destination (memory layer, database, other formats, field remapping) goes through a QGIS feature sink.
"""
import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingUtils,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt

from ...algorithms.core.errors import InputError
from .. import qgis_enums
from .destinations import unnamed_output
from .file_tables import column_kind, write_csv, write_gpkg

_FIELD_TYPES = {"real": qgis_enums.FIELD_DOUBLE, "integer": qgis_enums.FIELD_INTEGER, "text": qgis_enums.FIELD_TEXT,
                "datetime": qgis_enums.FIELD_DATETIME, "date": qgis_enums.FIELD_DATE}
_GEOMETRY_NAMES = {qgis_enums.POINT: "point", qgis_enums.MULTI_POLYGON: "multipolygon", qgis_enums.LINE: "linestring"}
_CHUNK = 50_000


def fields_for(columns):
    """QgsFields typed after each column's numpy dtype (float, integer/bool, datetime64, date, else text)."""
    fields = QgsFields()
    for name, values in columns.items():
        fields.append(QgsField(name, _FIELD_TYPES[column_kind(values)]))
    return fields


def write_table(alg, parameters, context, output_name, columns, progress, geometry=None,
                wkb_type=qgis_enums.NO_GEOMETRY, crs=None):
    """Write ``columns`` (name -> equal-length arrays) to output ``output_name``; returns its id (None when an
    optional output was not asked for).

    geometry: None, an (n, 2) array of points (NaN rows: no geometry) or a list of QgsGeometry; wkb_type and
    crs (QgsCoordinateReferenceSystem) describe it. ``progress`` (a Progress) reports and honours cancel.
    """
    destination, project, layer_name = _destination(alg, parameters, output_name, context)
    if destination is None:
        return None
    crs = crs or QgsCoordinateReferenceSystem()
    path, table = _file_target(destination)
    if path is None:
        return _write_through_sink(alg, parameters, context, output_name, columns, progress, geometry, wkb_type, crs)
    alg.remember_output(path)
    shapes = None if geometry is None else geometry if isinstance(geometry, np.ndarray) else \
        [None if g is None or g.isNull() else bytes(g.asWkb()) for g in geometry]
    try:
        if path.lower().endswith(".csv"):
            write_csv(path, columns, progress)
        else:
            write_gpkg(path, table, columns, shapes, _GEOMETRY_NAMES.get(wkb_type), crs.toWkt() if crs.isValid()
                       else "", progress)
    except OSError as error:
        raise InputError(f"{output_name}: the output '{path}' could not be written ({error}); check the folder "
                         "exists and is writable.") from None
    layer_id = path if path.lower().endswith(".csv") or table is None else f"{path}|layername={table}"
    if project is not None:
        details = QgsProcessingContext.LayerDetails(layer_name or alg.parameterDefinition(output_name).description(),
                                                    project, output_name)
        context.addLayerToLoadOnCompletion(layer_id, details)
    return layer_id


def _destination(alg, parameters, name, context):
    """(destination text or None when not asked for, project to load into, layer name) of output ``name``."""
    value = parameters.get(name)
    project, layer_name = None, ""
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        if value.useRemapping():
            return "remapped", None, ""  # only a sink knows how to remap fields
        project, layer_name = value.destinationProject, value.destinationName
        value = value.sink.valueAsString(context.expressionContext(), "")[0]
    text = "" if value is None else str(value).strip()
    if text == QgsProcessing.TEMPORARY_OUTPUT:
        text = QgsProcessingUtils.generateTempFilename(f"{name.lower()}.gpkg")
    return text or unnamed_output(alg, name, "gpkg"), project, layer_name



def _file_target(destination):
    """(path, table name) when the destination is a plain GeoPackage or CSV file, else (None, None)."""
    path, _, options = destination.partition("|")
    if options and not options.startswith("layername="):
        return None, None
    if path.lower().endswith(".gpkg"):
        table = options[len("layername="):] if options else path.replace("\\", "/").rsplit("/", 1)[-1][:-5]
        return path, table
    if path.lower().endswith(".csv") and not options:
        return path, None
    return None, None


def _write_through_sink(alg, parameters, context, name, columns, progress, geometry, wkb_type, crs):
    fields = fields_for(columns)
    sink, dest_id = alg.parameterAsSink(parameters, name, context, fields, wkb_type, crs)
    if sink is None:
        raise InputError(f"{name}: the output could not be created; check the path and format.")
    count = len(next(iter(columns.values()))) if columns else 0
    lists = [_qgis_values(values) for values in columns.values()]
    for start in range(0, count, _CHUNK):
        batch = []
        for row in range(start, min(start + _CHUNK, count)):
            feature = QgsFeature(fields)
            feature.setAttributes([values[row] for values in lists])
            if geometry is not None:
                feature.setGeometry(_qgs_geometry(geometry, row))
            batch.append(feature)
        sink.addFeatures(batch, QgsFeatureSink.Flag.FastInsert)
        progress.step(min(start + _CHUNK, count) / max(count, 1))
    return dest_id


def _qgis_values(values):
    if np.ma.isMaskedArray(values):
        return [None if m else v for v, m in zip(_qgis_values(np.ma.getdata(values)), np.ma.getmaskarray(values))]
    kind = column_kind(values)
    if kind == "datetime":
        millis = np.asarray(values).astype("datetime64[ms]").astype(np.int64).tolist()
        return [QDateTime.fromMSecsSinceEpoch(m, Qt.TimeSpec.UTC) for m in millis]
    if kind == "date":
        return [QDate.fromString(d, "yyyy-MM-dd") for d in np.datetime_as_string(np.asarray(values), unit="D")]
    floats_or_items = np.asarray(values)
    return [None if isinstance(v, float) and v != v else v for v in floats_or_items.tolist()]


def _qgs_geometry(geometry, row):
    from qgis.core import QgsGeometry, QgsPointXY
    if isinstance(geometry, np.ndarray):
        x, y = geometry[row]
        return QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))) if np.isfinite(x) and np.isfinite(y) \
            else QgsGeometry()
    return geometry[row]
