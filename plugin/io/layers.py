"""Vector layers <-> science objects: access points and other points in metres, polygons as shapely, the metric
CRS to compute in."""
import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCsException,
    QgsFeatureRequest,
    QgsGeometry,
    QgsPointXY,
    QgsWkbTypes,
)

from ...algorithms.core.crs import utm_for_points
from ...algorithms.core.errors import InputError
from ...algorithms.core.optional import require
from ...algorithms.core.records import AccessPoints
from .. import parameters as params
from ..parameters import is_given
from ..qgis_enums import GEOMETRY_POINT, GEOMETRY_UNKNOWN, WKT_PREFERRED
from .columns import check_fields, is_null, require_source, text_column

WKT = WKT_PREFERRED
_WGS84 = "EPSG:4326"


def crs_from_text(text):
    """A QgsCoordinateReferenceSystem from the WKT or 'EPSG:n' text the science carries."""
    return QgsCoordinateReferenceSystem(text) if text.upper().startswith("EPSG:") else \
        QgsCoordinateReferenceSystem.fromWkt(text)


def transformed(points, source_crs, target_crs, context, name):
    """(n x 2) points from ``source_crs`` to ``target_crs``; InputError naming the layer when a point lies outside
    what the source CRS can transform (e.g. projected numbers in a layer that claims degrees)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if source_crs == target_crs or not source_crs.isValid():
        return points
    transform = QgsCoordinateTransform(source_crs, target_crs, context.transformContext())
    try:
        moved = [transform.transform(QgsPointXY(x, y)) for x, y in points]
    except QgsCsException:
        raise InputError(f"{name}: coordinates such as ({points[0, 0]:.6g}, {points[0, 1]:.6g}) cannot be "
                         f"transformed from {source_crs.authid() or 'its CRS'} to {target_crs.authid()}: they are "
                         f"outside its range. Set the layer's real CRS (Layer Properties > Source).") from None
    return np.array([[p.x(), p.y()] for p in moved], dtype=float).reshape(-1, 2)


def metric_crs(alg, parameters, context, layer_crs, points=None, name="INPUT", crs_param=params.CRS):
    """The CRS to compute in: the user's CRS parameter, the layer's if projected, else the UTM zone of ``points``
    ((n x 2) in ``layer_crs``)."""
    chosen = alg.parameterAsCrs(parameters, crs_param, context) if crs_param in parameters else None
    if chosen is not None and chosen.isValid():
        target = chosen
    elif layer_crs.isValid() and not layer_crs.isGeographic():
        target = layer_crs
    elif layer_crs.isValid() and points is not None and len(points):
        lonlat = transformed(points, layer_crs, QgsCoordinateReferenceSystem(_WGS84), context, name)
        if np.any(np.abs(lonlat[:, 1]) > 90) or np.any(np.abs(lonlat[:, 0]) > 360):
            raise InputError(f"{name} claims {layer_crs.authid()} (degrees) but holds coordinates such as "
                             f"({points[0, 0]:.6g}, {points[0, 1]:.6g}): set the layer's real CRS.")
        target = QgsCoordinateReferenceSystem(utm_for_points(lonlat[:, 0], lonlat[:, 1]))
    else:
        raise InputError(f"{name} has no valid CRS: set its CRS (Layer Properties > Source) or give CRS.")
    if target.isGeographic():
        raise InputError(f"The CRS {target.authid()} is geographic (degrees); choose a projected CRS in metres.")
    return target


def read_points(alg, parameters, name, context, request=None, what="points"):
    """(n x 2 coordinates in the layer's CRS, the layer's CRS) of the point layer of parameter ``name``;
    features without a geometry are skipped; InputError when the layer holds other geometries or no point."""
    source = require_source(alg, parameters, name, context)
    if QgsWkbTypes.geometryType(source.wkbType()) not in (GEOMETRY_POINT, GEOMETRY_UNKNOWN):
        raise InputError(f"{name} must be a layer of points; it holds {QgsWkbTypes.displayString(source.wkbType())} "
                         "geometries.")
    xy = []
    for feature in source.getFeatures(request or QgsFeatureRequest().setNoAttributes()):
        geometry = feature.geometry()
        if not geometry.isNull() and not geometry.isEmpty():
            xy.extend((p.x(), p.y()) for p in geometry.vertices())
    if not xy:
        raise InputError(f"{name} has no {what} with a geometry.")
    return np.array(xy, dtype=float), source.sourceCrs()


def read_points_in(alg, parameters, name, context, target_crs, request=None, what="points"):
    """The points of parameter ``name`` (n x 2) in ``target_crs``."""
    xy, crs = read_points(alg, parameters, name, context, request, what)
    return transformed(xy, crs, target_crs, context, name)


def read_access_points(alg, parameters, context, aps_param=params.APS, id_param=params.AP_ID_FIELD,
                       indoor_param=params.INDOOR_FIELD, crs_param=params.CRS):
    """The AP layer as AccessPoints in a metric CRS (the layer's if projected, else the APs' UTM zone);
    returns (aps, QgsCoordinateReferenceSystem)."""
    source = require_source(alg, parameters, aps_param, context)
    if QgsWkbTypes.geometryType(source.wkbType()) != GEOMETRY_POINT:
        raise InputError(f"The AP layer ({aps_param}) must hold points, one per access point; it holds "
                         f"{QgsWkbTypes.displayString(source.wkbType())} geometries. Use its centroids "
                         "(Vector > Geometry Tools > Centroids) if that is what you mean.")
    id_field = params.field_name(alg, parameters, id_param, context)
    check_fields(source, {id_param: id_field})
    indoor_field = params.field_name(alg, parameters, indoor_param, context) if indoor_param else ""
    has_indoor = bool(indoor_field) and indoor_field in source.fields().names()
    ids, xy, indoor = [], [], []
    for feature in source.getFeatures(QgsFeatureRequest()):
        geometry = feature.geometry()
        if geometry.isNull() or geometry.isEmpty():
            raise InputError(f"AP '{feature[id_field]}' in {aps_param} has no geometry; every AP needs a point.")
        point = geometry.centroid().asPoint()
        ids.append(feature[id_field])
        xy.append((point.x(), point.y()))
        indoor.append(_truthy(feature[indoor_field]) if has_indoor else False)
    if not ids:
        raise InputError(f"The AP layer ({aps_param}) has no features.")
    ids = text_column(np.array(ids, dtype=object), id_field, id_param)
    duplicated = [a for a, c in zip(*np.unique(ids.astype(str), return_counts=True)) if c > 1]
    if duplicated:
        raise InputError(f"AP ids must be unique in {aps_param}; repeated: {', '.join(duplicated[:5])}. "
                         f"Give each AP its own id in '{id_field}'.")
    xy = np.array(xy, dtype=float)
    target = metric_crs(alg, parameters, context, source.sourceCrs(), xy, aps_param, crs_param)
    metric = transformed(xy, source.sourceCrs(), target, context, aps_param)
    return AccessPoints(ids, metric, np.array(indoor, dtype=bool), target.toWkt(WKT)), target


def _truthy(value):
    if is_null(value):
        return False
    return str(value).strip().lower() in ("1", "true", "yes", "y", "t", "indoor")


def to_shapely(geometry):
    """A QgsGeometry as a shapely geometry."""
    return require("shapely.wkb").loads(bytes(geometry.asWkb()))


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
        try:
            geometry.transform(to_target)
        except QgsCsException:
            raise InputError(f"{name}: its polygons cannot be transformed from {source.sourceCrs().authid()} to "
                             f"{target_crs.authid()}; set the layer's real CRS (Layer Properties > Source).") from None
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
