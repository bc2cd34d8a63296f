"""Fast writers of column tables to GeoPackage and CSV files.

QGIS's feature sinks take one QgsFeature per row from Python, about 80,000 rows/s; the probe tables of a season
hold millions of rows. Here a GeoPackage table is created by OGR (so its metadata is what GDAL and QGIS expect)
and filled by SQLite in one transaction; a CSV is written as text in one pass. Columns are numpy arrays: float
-> REAL, integer/bool -> INTEGER, datetime64 -> DATETIME (UTC, milliseconds), text/objects -> TEXT (None is
NULL; so is a masked element of a numpy masked array). Point geometries come as an (n, 2) array (a NaN row
has no geometry); other geometries as WKB bytes.
"""
import sqlite3
import struct

import numpy as np

from ...algorithms.core.progress import SILENT

_BATCH = 100_000
_CSV_SPECIAL = ',"\n\r'
_GPKG_NO_ENVELOPE_LE = 0x01  # flags byte of a GeoPackage geometry header: little endian, no envelope
_WKB_POINT_LE = struct.pack("<BI", 1, 1)


def column_kind(values):
    """'real', 'integer', 'datetime', 'date' or 'text' for a numpy column."""
    values = np.asarray(np.ma.getdata(values))
    if values.dtype.kind == "M":
        return "date" if np.datetime_data(values.dtype)[0] == "D" else "datetime"
    return {"f": "real", "i": "integer", "u": "integer", "b": "integer"}.get(values.dtype.kind, "text")


def _sql_values(values):
    """A list of Python values SQLite stores as the column's kind (None for NULL)."""
    if np.ma.isMaskedArray(values):
        masked = np.ma.getmaskarray(values).tolist()
        return [None if m else v for v, m in zip(_sql_values(np.ma.getdata(values)), masked)]
    kind = column_kind(values)
    if kind == "datetime":
        text = np.datetime_as_string(np.asarray(values).astype("datetime64[ms]"), unit="ms")
        return [None if t == "NaT" else t + "Z" for t in text.tolist()]
    if kind == "date":
        text = np.datetime_as_string(np.asarray(values).astype("datetime64[D]"), unit="D")
        return [None if t == "NaT" else t for t in text.tolist()]
    if kind == "real":
        floats = np.asarray(values, dtype=float)
        return [None if v != v else v for v in floats.tolist()] if np.isnan(floats).any() else floats.tolist()
    if kind == "integer":
        return np.asarray(values).astype(np.int64).tolist()
    if np.asarray(values).dtype.kind == "U":  # numpy text: str already, never None
        return np.asarray(values).tolist()
    items = np.asarray(values, dtype=object).tolist()
    return [None if v is None else str(v) for v in items] if None in items else list(map(str, items))


def point_blobs(xy, srs_id):
    """GeoPackage geometry blobs of points (n x 2); None where a coordinate is not finite."""
    xy = np.asarray(xy, dtype="<f8").reshape(-1, 2)
    header = struct.pack("<2sBBi", b"GP", 0, _GPKG_NO_ENVELOPE_LE, srs_id) + _WKB_POINT_LE
    blob = np.frombuffer(header, dtype=np.uint8)
    rows = np.empty((len(xy), len(blob) + 16), dtype=np.uint8)
    rows[:, :len(blob)] = blob
    rows[:, len(blob):] = xy.view(np.uint8).reshape(-1, 16)
    finite = np.all(np.isfinite(xy), axis=1)
    return [bytes(row) if ok else None for row, ok in zip(rows, finite)]


def wkb_blobs(wkbs, srs_id):
    """GeoPackage geometry blobs of ISO WKB geometries; None stays None."""
    header = struct.pack("<2sBBi", b"GP", 0, _GPKG_NO_ENVELOPE_LE, srs_id)
    return [None if w is None else header + bytes(w) for w in wkbs]


_OGR_TYPES = {"real": "OFTReal", "integer": "OFTInteger64", "text": "OFTString", "datetime": "OFTDateTime",
              "date": "OFTDate"}
_OGR_GEOMETRIES = {"point": "wkbPoint", "multipolygon": "wkbMultiPolygon", "linestring": "wkbLineString"}


def write_gpkg(path, layer, columns, geometry=None, geometry_type=None, crs_wkt="", progress=SILENT):
    """Write ``columns`` (name -> equal-length arrays) as table ``layer`` of the GeoPackage ``path`` (created or
    replaced). ``geometry``: None, an (n, 2) array of points, or a list of WKB (``geometry_type`` 'point',
    'multipolygon' or 'linestring'); ``crs_wkt``: the geometries' CRS. Raises OSError when it cannot be written."""
    count = len(next(iter(columns.values()))) if columns else (0 if geometry is None else len(geometry))
    fresh = not _exists(path)
    try:  # GDAL returns None where it fails, or raises where its Python exceptions are on (QGIS 3.40 sets them)
        _create_table(path, layer, columns, geometry is not None, geometry_type, crs_wkt)
        _insert_rows(path, layer, columns, geometry, count, progress, fresh)
        if geometry is not None:
            _spatial_index(path, layer)
    except (RuntimeError, sqlite3.Error) as error:
        raise OSError(f"cannot write the GeoPackage '{path}': {error}") from None
    return path


def _create_table(path, layer, columns, spatial, geometry_type, crs_wkt):
    """The empty table, made by OGR so that the GeoPackage's metadata is what GDAL and QGIS expect."""
    from osgeo import ogr, osr
    source = ogr.Open(path, 1) if _exists(path) else ogr.GetDriverByName("GPKG").CreateDataSource(path)
    if source is None:
        raise OSError(f"cannot create the GeoPackage '{path}'")
    if source.GetLayerByName(layer) is not None:
        source.DeleteLayer(layer)
    srs = None
    if spatial and crs_wkt:
        srs = osr.SpatialReference()
        srs.SetFromUserInput(crs_wkt)
    kind = getattr(ogr, _OGR_GEOMETRIES[geometry_type or "point"]) if spatial else ogr.wkbNone
    table = source.CreateLayer(layer, srs, kind, options=["SPATIAL_INDEX=NO", "FID=fid", "GEOMETRY_NAME=geom"])
    if table is None:
        raise OSError(f"cannot create the table '{layer}' in '{path}'")
    for name, values in columns.items():
        table.CreateField(ogr.FieldDefn(name, getattr(ogr, _OGR_TYPES[column_kind(values)])))
    source = table = None  # closes the file before SQLite opens it


def _spatial_index(path, layer):
    from osgeo import ogr
    source = ogr.Open(path, 1)
    source.ExecuteSQL(f"SELECT CreateSpatialIndex('{layer}', 'geom')")
    source = None


def _exists(path):
    import os
    return os.path.exists(path) and os.path.getsize(path) > 0


def _insert_rows(path, layer, columns, geometry, count, progress, fresh):
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -200000")
        if fresh:  # nothing else in the file to protect: no rollback journal (a failed run removes the file)
            connection.execute("PRAGMA journal_mode = OFF")
        counter = _drop_count_trigger(connection, layer)
        names = list(columns)
        srs_id = _srs_id(connection, layer) if geometry is not None else 0
        if geometry is not None:
            names.append("geom")
        statement = (f"INSERT INTO \"{layer}\" ({', '.join(_quoted(n) for n in names)}) "
                     f"VALUES ({', '.join('?' * len(names))})")
        connection.execute("BEGIN")
        for start in range(0, count, _BATCH):
            stop = min(start + _BATCH, count)
            parts = [_sql_values(values[start:stop]) for values in columns.values()]
            if geometry is not None:
                parts.append(point_blobs(geometry[start:stop], srs_id) if isinstance(geometry, np.ndarray)
                             else wkb_blobs(geometry[start:stop], srs_id))
            connection.executemany(statement, zip(*parts))
            progress.step(stop / max(count, 1))
        connection.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)",
                           (count, layer))
        connection.commit()
        if counter:
            connection.execute(counter)
            connection.commit()
    finally:
        connection.close()


def _drop_count_trigger(connection, layer):
    """OGR keeps a feature count with a trigger per insert; set it once instead. Returns the trigger's SQL."""
    name = f"trigger_insert_feature_count_{layer}"
    row = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
    if row is None:
        return None
    connection.execute(f"DROP TRIGGER {_quoted(name)}")
    return row[0]


def _srs_id(connection, layer):
    row = connection.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE lower(table_name) = lower(?)",
                             (layer,)).fetchone()
    return int(row[0]) if row else 0


def _quoted(name):
    return '"' + name.replace('"', '""') + '"'


def write_csv(path, columns, progress=SILENT):
    """Write ``columns`` as a comma-separated file with a header row (datetimes as ISO text, UTC; NULL empty;
    a value is quoted only where it holds a comma, quote or line break)."""
    count = len(next(iter(columns.values()))) if columns else 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(_csv_cells(list(columns), "text")) + "\n")
        for start in range(0, count, _BATCH):
            stop = min(start + _BATCH, count)
            cells = [_csv_column(values[start:stop]) for values in columns.values()]
            handle.write("\n".join(map(",".join, zip(*cells))) + "\n")
            progress.step(stop / max(count, 1))
    return path


def _csv_column(values):
    """CSV text of a slice of a column."""
    kind = column_kind(values)
    if kind == "integer" and not np.ma.isMaskedArray(values):
        return _integer_cells(np.asarray(values).astype(np.int64))
    return _csv_cells(_sql_values(values), kind)


def _integer_cells(ints):
    """Decimal text of integers; a column of few distinct values (counts, sizes) formats each value once."""
    low, high = (int(ints.min()), int(ints.max())) if len(ints) else (0, 0)
    if high - low < len(ints) // 16:
        return np.array(list(map(repr, range(low, high + 1))), dtype=object)[ints - low].tolist()
    return list(map(repr, ints.tolist()))


def _csv_cells(values, kind):
    """CSV text of a column's SQL values (str, int or float; None for NULL)."""
    if kind in ("real", "integer"):
        return ["" if v is None else repr(v) for v in values] if None in values else list(map(repr, values))
    cells = ["" if v is None else v for v in values] if None in values else values
    joined = "\x00".join(cells)  # one scan of the column per special character instead of one per cell
    if not any(c in joined for c in _CSV_SPECIAL):
        return cells
    return ['"' + c.replace('"', '""') + '"' if any(s in c for s in _CSV_SPECIAL) else c for c in cells]
