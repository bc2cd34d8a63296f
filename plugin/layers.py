"""Vector layers <-> science objects: access points in metres, polygons as shapely, metric CRS choice."""
import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsFeatureRequest,
                       QgsGeometry, QgsPointXY)

from ..algorithms.core.crs import utm_for_points
from ..algorithms.core.errors import InputError
from ..algorithms.core.optional import require
from ..algorithms.core.records import AccessPoints
from .base import is_given
from .tables import check_fields, require_source, text_column

WKT = QgsCoordinateReferenceSystem.WKT_PREFERRED


def crs_from_text(text):
    """A QgsCoordinateReferenceSystem from the WKT or 'EPSG:n' text the science carries."""
    crs = QgsCoordinateReferenceSystem(text) if text.upper().startswith("EPSG:") else \
        QgsCoordinateReferenceSystem.fromWkt(text)
    return crs


def metric_crs(alg, parameters, context, layer_crs, lonlat_points=None, crs_param="CRS"):
    """The CRS to compute in: the user's CRS parameter, the layer's if projected, else the UTM zone of the points.

    ``lonlat_points``: (x, y) arrays in ``layer_crs`` used to pick the UTM zone when it is geographic.
    """
    chosen = alg.parameterAsCrs(parameters, crs_param, context) if crs_param in parameters else None
    if chosen is not None and chosen.isValid():
        target = chosen
    elif layer_crs.isValid() and not layer_crs.isGeographic():
        target = layer_crs
    elif layer_crs.isValid() and lonlat_points is not None:
        to_wgs84 = QgsCoordinateTransform(layer_crs, QgsCoordinateReferenceSystem("EPSG:4326"),
                                          context.transformContext())
        lon, lat = zip(*[(p.x(), p.y()) for p in (to_wgs84.transform(QgsPointXY(x, y))
                                                  for x, y in zip(*lonlat_points))])
        target = QgsCoordinateReferenceSystem(utm_for_points(lon, lat))
    else:
        raise InputError("The layer has no valid CRS: set its CRS (Layer Properties > Source) or give CRS.")
    if target.isGeographic():
        raise InputError(f"The CRS {target.authid()} is geographic (degrees); choose a projected CRS in metres.")
    return target


def read_access_points(alg, parameters, context, aps_param="APS", id_param="AP_ID_FIELD",
                       indoor_param="INDOOR_FIELD", crs_param="CRS"):
    """The AP layer as AccessPoints in a metric CRS (SPEC: Units and CRS); returns (aps, QgsCRS)."""
    source = require_source(alg, parameters, aps_param, context)
    id_field = alg.parameterAsString(parameters, id_param, context) or "ap_id"
    check_fields(source, {id_param: id_field})
    indoor_field = alg.parameterAsString(parameters, indoor_param, context) if indoor_param in parameters else ""
    indoor_field = indoor_field or "indoor"
    has_indoor = indoor_field in source.fields().names()
    ids, xs, ys, indoor = [], [], [], []
    for feature in source.getFeatures(QgsFeatureRequest()):
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            raise InputError(f"AP '{feature[id_field]}' in {aps_param} has no geometry; every AP needs a point.")
        point = geometry.centroid().asPoint()
        ids.append(feature[id_field])
        xs.append(point.x())
        ys.append(point.y())
        indoor.append(_truthy(feature[indoor_field]) if has_indoor else False)
    if not ids:
        raise InputError(f"The AP layer ({aps_param}) has no features.")
    ids = text_column(np.array(ids, dtype=object), id_field, id_param)
    duplicated = [a for a, c in zip(*np.unique(ids.astype(str), return_counts=True)) if c > 1]
    if duplicated:
        raise InputError(f"AP ids must be unique in {aps_param}; repeated: {', '.join(duplicated[:5])}.")
    target = metric_crs(alg, parameters, context, source.sourceCrs(), (xs, ys), crs_param)
    to_metric = QgsCoordinateTransform(source.sourceCrs(), target, context.transformContext())
    metric = [to_metric.transform(QgsPointXY(x, y)) for x, y in zip(xs, ys)]
    xy = np.array([[p.x(), p.y()] for p in metric], dtype=float)
    return AccessPoints(ids, xy, np.array(indoor, dtype=bool), target.toWkt(WKT)), target


def _truthy(value):
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return False
    return str(value).strip().lower() in ("1", "true", "yes", "y", "t", "indoor")


def to_shapely(geometry):
    """A QgsGeometry as a shapely geometry."""
    wkb = require("shapely.wkb")
    return wkb.loads(bytes(geometry.asWkb()))


def from_shapely(shape):
    """A shapely geometry as a QgsGeometry."""
    geometry = QgsGeometry()
    geometry.fromWkb(shape.wkb)
    return geometry


def read_polygon_features(alg, parameters, name, context, target_crs, fields=()):
    """[(shapely polygon in target_crs, {field: value})] of the polygon layer of parameter ``name``; [] if unset."""
    if not is_given(parameters, name):
        return []
    source = require_source(alg, parameters, name, context)
    if fields:
        check_fields(source, {f"{name} field": f for f in fields})
    to_target = QgsCoordinateTransform(source.sourceCrs(), target_crs, context.transformContext())
    result = []
    for feature in source.getFeatures():
        geometry = QgsGeometry(feature.geometry())
        if geometry.isNull() or geometry.isEmpty():
            continue
        geometry.transform(to_target)
        result.append((to_shapely(geometry.makeValid()), {f: feature[f] for f in fields}))
    return result


def read_shapes(alg, parameters, name, context, target_crs):
    """The polygons of parameter ``name`` in ``target_crs`` as a list of shapely geometries; [] if unset."""
    return [shape for shape, _ in read_polygon_features(alg, parameters, name, context, target_crs)]


def read_polygons(alg, parameters, name, context, target_crs):
    """The union of the polygons of parameter ``name`` in ``target_crs`` (shapely), or None if unset."""
    if not is_given(parameters, name):
        return None
    return require("shapely.ops").unary_union(read_shapes(alg, parameters, name, context, target_crs))
