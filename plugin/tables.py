"""Attribute tables <-> numpy columns: reading a probe table's fields fast, writing result tables."""
import numpy as np
from qgis.core import (QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsField, QgsFields,
                       QgsProcessingFeatureSourceDefinition, QgsProviderRegistry, QgsWkbTypes)
from qgis.PyQt.QtCore import QDate, QDateTime, QVariant

from ..algorithms.core.errors import InputError
from ..algorithms.core.records import Probes
from ..algorithms.core.timeparse import to_seconds
from ..algorithms.core.validation import check_rss

PROBE_ROLES = {"time": "TIME_FIELD", "ap_id": "AP_FIELD", "mac": "MAC_FIELD", "rss": "RSS_FIELD"}
_CHUNK = 50_000


def require_source(alg, parameters, name, context):
    """The feature source of parameter ``name``, or a clear error when it cannot be opened."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is None:
        raise InputError(f"{name}: the layer or table could not be opened; check the path or pick a layer.")
    return source


def check_fields(source, wanted):
    """Raise InputError when a chosen field is missing; ``wanted`` maps parameter name -> field name."""
    names = source.fields().names()
    for parameter, field in wanted.items():
        if field not in names:
            raise InputError(f"The table '{source.sourceName()}' has no field '{field}' ({parameter}). "
                             f"Its fields are: {', '.join(names)}. Set {parameter} to the right one.")


def read_columns(alg, parameters, name, context, field_names, feedback=None):
    """The values of ``field_names`` in the table of parameter ``name``, as a dict of numpy arrays.

    Plain files opened by OGR (CSV, GeoPackage, ...) are read column-wise through GDAL's Arrow
    interface (a million rows in about a second); other sources are iterated feature by feature.
    """
    source = require_source(alg, parameters, name, context)
    fast = _plain_ogr_layer(alg, parameters, name, context)
    if fast is not None:
        columns = _read_ogr_columns(*fast, field_names)
        if columns is not None:
            return columns
    return _read_feature_columns(source, field_names, feedback)


def _plain_ogr_layer(alg, parameters, name, context):
    """(path, layer name) when the input is a whole file layer read by OGR with no filter, else None."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly:
        return None
    layer = alg.parameterAsVectorLayer(parameters, name, context)
    if layer is None or layer.providerType() != "ogr" or layer.subsetString():
        return None
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    return parts.get("path"), parts.get("layerName")


def _read_ogr_columns(path, layer_name, field_names):
    from osgeo import ogr
    dataset = ogr.Open(path)
    layer = None
    if dataset is not None:
        layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(0)
    if layer is None or not hasattr(layer, "GetArrowStreamAsNumPy"):
        return None
    definition = layer.GetLayerDefn()
    all_fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    layer.SetIgnoredFields([f for f in all_fields if f not in field_names] + ["OGR_GEOMETRY"])
    parts = {f: [] for f in field_names}
    for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=NO"]):
        for field in field_names:
            parts[field].append(_plain_array(batch[field]))
    return {f: (np.concatenate(chunks) if chunks else np.zeros(0)) for f, chunks in parts.items()}


def _plain_array(values):
    if values.dtype.kind == "S":
        return values.astype(str)
    if values.dtype == object and len(values) and isinstance(values[0], bytes):
        return np.array([v.decode("utf-8") if v is not None else "" for v in values], dtype=object)
    return values


def _read_feature_columns(source, field_names, feedback):
    request = QgsFeatureRequest().setFlags(QgsFeatureRequest.NoGeometry)
    request.setSubsetOfAttributes(field_names, source.fields())
    indices = [source.fields().lookupField(f) for f in field_names]
    rows = []
    total = max(source.featureCount(), 1)
    for count, feature in enumerate(source.getFeatures(request)):
        attributes = feature.attributes()
        rows.append([_python_value(attributes[i]) for i in indices])
        if feedback is not None and count % _CHUNK == 0:
            if feedback.isCanceled():
                break
            feedback.setProgress(10.0 * count / total)
    columns = list(zip(*rows)) if rows else [() for _ in field_names]
    return {f: np.array(col, dtype=object) for f, col in zip(field_names, columns)}


def _python_value(value):
    if isinstance(value, QDateTime):
        return value.toMSecsSinceEpoch() / 1000.0 if value.isValid() else None
    if isinstance(value, QDate):
        return QDateTime(value).toMSecsSinceEpoch() / 1000.0 if value.isValid() else None
    if isinstance(value, QVariant) and value.isNull():
        return None
    return value


def _missing_rows(values):
    if values.dtype == object:
        return np.flatnonzero(np.fromiter((v is None or v == "" for v in values), bool, len(values)))
    if values.dtype.kind == "U":
        return np.flatnonzero(values == "")
    if values.dtype.kind == "f":
        return np.flatnonzero(np.isnan(values))
    return np.zeros(0, dtype=np.int64)


def numeric_column(values, field, parameter):
    """float64 values of a numeric field, or InputError naming the first row that is not a number."""
    missing = _missing_rows(values)
    if len(missing):
        raise InputError(f"Row {missing[0] + 1}: the field '{field}' ({parameter}) is empty; "
                         "remove the row or fill the value.")
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        for row, value in enumerate(values):
            try:
                float(value)
            except (TypeError, ValueError):
                raise InputError(f"Row {row + 1}: the field '{field}' ({parameter}) holds '{value}', "
                                 "which is not a number. Choose a numeric field.") from None
        raise


def text_column(values, field, parameter):
    """The values as an object array of text, or InputError naming the first empty row."""
    missing = _missing_rows(values)
    if len(missing):
        raise InputError(f"Row {missing[0] + 1}: the field '{field}' ({parameter}) is empty.")
    if values.dtype.kind == "f" and np.all(values == np.round(values)):
        values = values.astype(np.int64)
    return np.asarray(values.astype(str), dtype=object)


def rss_column(values, field):
    """RSS in dBm as float64: numeric_column's row-level messages, then the science's check (finite, not positive)."""
    return check_rss(numeric_column(values, field, "RSS_FIELD"), field)


def read_probes(alg, parameters, context, feedback=None, input_name="INPUT", extra_fields=()):
    """The probe table of ``input_name`` as Probes, its fields chosen by TIME_FIELD, AP_FIELD, MAC_FIELD, RSS_FIELD.

    ``extra_fields`` (field names) are read into Probes.extra when they exist in the table.
    Raises InputError for missing fields, empty cells, unreadable times, non-numeric or positive RSS.
    """
    source = require_source(alg, parameters, input_name, context)
    chosen = {parameter: alg.parameterAsString(parameters, parameter, context) or role
              for role, parameter in PROBE_ROLES.items()}
    check_fields(source, chosen)
    present_extra = [f for f in extra_fields if f in source.fields().names()]
    names = list(dict.fromkeys(list(chosen.values()) + present_extra))
    columns = read_columns(alg, parameters, input_name, context, names, feedback)
    field_of = {role: chosen[parameter] for role, parameter in PROBE_ROLES.items()}
    time_values = columns[field_of["time"]]
    missing = _missing_rows(time_values)
    if len(missing):
        raise InputError(f"Row {missing[0] + 1}: the time field '{field_of['time']}' (TIME_FIELD) is empty.")
    rss = rss_column(columns[field_of["rss"]], field_of["rss"])
    return Probes(
        time=to_seconds(time_values, field_of["time"]),
        ap_id=text_column(columns[field_of["ap_id"]], field_of["ap_id"], "AP_FIELD"),
        mac=text_column(columns[field_of["mac"]], field_of["mac"], "MAC_FIELD"),
        rss=rss,
        extra={f: columns[f] for f in present_extra},
    )


def read_ap_and_rss(alg, parameters, context, feedback=None, input_name="INPUT", extra_fields=()):
    """(AP ids as text, RSS as float64, {extra field: raw values}) of AP_FIELD, RSS_FIELD and those of
    ``extra_fields`` the table has, in one pass over the table, for tools that need no time or MAC."""
    source = require_source(alg, parameters, input_name, context)
    ap_field = alg.parameterAsString(parameters, "AP_FIELD", context) or "ap_id"
    rss_field = alg.parameterAsString(parameters, "RSS_FIELD", context) or "rss"
    check_fields(source, {"AP_FIELD": ap_field, "RSS_FIELD": rss_field})
    present = [f for f in extra_fields if f in source.fields().names()]
    columns = read_columns(alg, parameters, input_name, context,
                           list(dict.fromkeys([ap_field, rss_field] + present)), feedback)
    return (text_column(columns[ap_field], ap_field, "AP_FIELD"),
            rss_column(columns[rss_field], rss_field), {f: columns[f] for f in present})


def _qgis_field(name, values):
    kind = np.asarray(values).dtype.kind
    if kind == "f":
        return QgsField(name, QVariant.Double)
    if kind in "iub":
        return QgsField(name, QVariant.LongLong)
    return QgsField(name, QVariant.String)


def fields_for(columns):
    """QgsFields typed after the numpy dtype of each column (float -> Double, int/bool -> LongLong, else String)."""
    fields = QgsFields()
    for name, values in columns.items():
        fields.append(_qgis_field(name, values))
    return fields


def write_table(alg, parameters, context, output_name, columns, feedback=None, geometries=None,
                wkb_type=QgsWkbTypes.NoGeometry, crs=None):
    """Write ``columns`` (name -> array, equal lengths) to the sink of ``output_name``; returns its id.

    ``geometries``: None, or a list of QgsGeometry, one per row.
    """
    from qgis.core import QgsCoordinateReferenceSystem
    fields = fields_for(columns)
    sink, dest_id = alg.parameterAsSink(parameters, output_name, context, fields, wkb_type,
                                        crs or QgsCoordinateReferenceSystem())
    if sink is None:
        raise InputError(f"{output_name}: the output could not be created; check the path and format.")
    count = len(next(iter(columns.values()))) if columns else 0
    lists = [np.asarray(v).tolist() for v in columns.values()]
    for start in range(0, count, _CHUNK):
        if feedback is not None and feedback.isCanceled():
            break
        batch = []
        for row in range(start, min(start + _CHUNK, count)):
            feature = QgsFeature(fields)
            feature.setAttributes([values[row] for values in lists])
            if geometries is not None:
                feature.setGeometry(geometries[row])
            batch.append(feature)
        sink.addFeatures(batch, QgsFeatureSink.FastInsert)
    return dest_id
