"""Attribute tables -> numpy columns: reading the chosen fields of a table fast, with row-level checks."""
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from qgis.core import NULL, QgsFeatureRequest, QgsProcessingFeatureSourceDefinition, QgsProviderRegistry
from qgis.PyQt.QtCore import QDate, QDateTime

from ...algorithms.core.errors import InputError
from ...algorithms.core.progress import SILENT
from ..qgis_enums import NO_GEOMETRY_REQUEST

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


def is_token_list(value):
    """True for the path of a text file that QGIS cannot open as a table (a .txt list, a one-column CSV)."""
    from qgis.core import QgsVectorLayer
    path = Path(str(value).split("|")[0]) if isinstance(value, (str, Path)) else None
    return path is not None and path.is_file() and path.suffix.lower() in (".txt", ".csv") and \
        not QgsVectorLayer(str(value), "tokens", "ogr").isValid()


def without_token_lists(parameters, names):
    """``parameters`` without those of ``names`` that are token lists, for QGIS's checks, which would refuse them."""
    return {k: v for k, v in parameters.items() if not (k in names and is_token_list(v))}


def read_tokens(alg, parameters, name, context, field, field_parameter):
    """The text values of ``field`` in the table of parameter ``name``. A plain list of tokens (a .txt file, or a
    one-column CSV, which GDAL does not open) is read line by line; its first line is a header when it equals
    ``field``."""
    source = alg.parameterAsSource(parameters, name, context)
    if source is not None:
        check_fields(source, {field_parameter: field})
        return text_column(read_columns(alg, parameters, name, context, [field])[field], field, field_parameter)
    path = Path(str(parameters.get(name)).split("|")[0])
    if not path.is_file():
        raise InputError(f"{name}: '{path}' could not be opened; give a table or a text file of tokens, one per "
                         "line.")
    lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
    if lines and lines[0] == field:
        lines = lines[1:]
    if not lines:
        raise InputError(f"{name}: '{path.name}' holds no token; give one MAC (or token) per line.")
    return np.array(lines, dtype=object)


def read_columns(alg, parameters, name, context, field_names, progress=SILENT):
    """The values of ``field_names`` in the table of parameter ``name``, as a dict of numpy arrays.

    Plain files opened by OGR (CSV, GeoPackage, ...) are read column-wise through GDAL's Arrow
    interface (a million rows in about a second); other sources are iterated feature by feature.
    ``progress`` reports and stops the read on cancel (nothing partial is returned).
    """
    source = require_source(alg, parameters, name, context)
    fast = _plain_ogr_layer(alg, parameters, name, context)
    if fast is not None:
        columns = _read_ogr_columns(*fast, field_names)
        if columns is not None:
            return columns
    return _read_feature_columns(source, field_names, progress)


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


_STREAM_BASE_IMPL = "OGR_GPKG_STREAM_BASE_IMPL"


def _read_ogr_columns(path, layer_name, field_names):
    from osgeo import ogr
    try:
        dataset = ogr.Open(path)
    except RuntimeError:  # GDAL's Python exceptions are on (QGIS 3.40): read it through QGIS instead
        return None
    layer = None
    if dataset is not None:
        layer = dataset.GetLayerByName(layer_name) if layer_name else dataset.GetLayer(0)
    if layer is None or not hasattr(layer, "GetArrowStreamAsNumPy"):
        return None
    definition = layer.GetLayerDefn()
    all_fields = [definition.GetFieldDefn(i).GetName() for i in range(definition.GetFieldCount())]
    layer.SetIgnoredFields([f for f in all_fields if f not in field_names] + ["OGR_GEOMETRY"])
    parts = {f: [] for f in field_names}
    with _synchronous_geopackage_stream():
        for batch in layer.GetArrowStreamAsNumPy(options=["USE_MASKED_ARRAYS=NO"]):
            for field in field_names:
                parts[field].append(_plain_array(batch[field]))
    return {f: (np.concatenate(chunks) if chunks else np.zeros(0)) for f, chunks in parts.items()}


@contextmanager
def _synchronous_geopackage_stream():
    """Before GDAL 3.11.4 the GeoPackage driver's Arrow stream fills the next batch in a worker thread that can
    race with the reader and hand back a batch with values missing (GDAL issue #12934): its synchronous
    implementation is used instead."""
    from osgeo import gdal
    if int(gdal.VersionInfo()) >= 3110400:
        yield
        return
    previous = gdal.GetConfigOption(_STREAM_BASE_IMPL)
    gdal.SetConfigOption(_STREAM_BASE_IMPL, "YES")
    try:
        yield
    finally:
        gdal.SetConfigOption(_STREAM_BASE_IMPL, previous)


def _plain_array(values):
    if values.dtype.kind == "S":
        return values.astype(str)
    if values.dtype == object and len(values) and isinstance(values[0], bytes):
        return np.array([v.decode("utf-8") if v is not None else "" for v in values], dtype=object)
    return values


def _read_feature_columns(source, field_names, progress):
    request = QgsFeatureRequest().setFlags(NO_GEOMETRY_REQUEST)
    request.setSubsetOfAttributes(field_names, source.fields())
    indices = [source.fields().lookupField(f) for f in field_names]
    rows = []
    total = max(source.featureCount(), 1)
    for count, feature in enumerate(source.getFeatures(request)):
        attributes = feature.attributes()
        rows.append([_python_value(attributes[i]) for i in indices])
        if count % _CHUNK == 0:
            progress.step(count / total)
    columns = list(zip(*rows)) if rows else [() for _ in field_names]
    return {f: np.array(col, dtype=object) for f, col in zip(field_names, columns)}


def _python_value(value):
    if isinstance(value, QDateTime):
        return value.toMSecsSinceEpoch() / 1000.0 if value.isValid() else None
    if isinstance(value, QDate):
        return value.startOfDay().toMSecsSinceEpoch() / 1000.0 if value.isValid() else None
    return None if is_null(value) else value


_NULL_TYPE = type(NULL)  # QVariant on QGIS 3, NoneType on QGIS 4


def is_null(value):
    """True for a NULL attribute: Python's None (QGIS 4) or qgis.core.NULL, a null QVariant (QGIS 3)."""
    return value is None or (isinstance(value, _NULL_TYPE) and value == NULL)


def missing_rows(values):
    if values.dtype == object:
        return np.flatnonzero(np.fromiter((v is None or v == "" for v in values), bool, len(values)))
    if values.dtype.kind == "U":
        return np.flatnonzero(values == "")
    if values.dtype.kind == "f":
        return np.flatnonzero(np.isnan(values))
    return np.zeros(0, dtype=np.int64)


def numeric_column(values, field, parameter):
    """float64 values of a numeric field, or InputError naming the first row that is not a number."""
    missing = missing_rows(values)
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
    missing = missing_rows(values)
    if len(missing):
        raise InputError(f"Row {missing[0] + 1}: the field '{field}' ({parameter}) is empty.")
    if values.dtype.kind == "f" and np.all(values == np.round(values)):
        values = values.astype(np.int64)
    return np.asarray(values if values.dtype.kind == "U" else values.astype(str), dtype=object)


