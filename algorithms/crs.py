"""Choosing a metric CRS: the UTM zone of the access points when their CRS is geographic (SPEC: Units and CRS)."""
import numpy as np

from .optional import require


def utm_epsg(lon, lat):
    """EPSG code of the WGS84 UTM zone containing (lon, lat) in degrees."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_for_points(lon, lat):
    """'EPSG:n' of the UTM zone of the centroid of the given lon/lat points."""
    return f"EPSG:{utm_epsg(float(np.mean(lon)), float(np.mean(lat)))}"


def transform_points(x, y, source_crs, target_crs):
    """Transform coordinate arrays between two CRS given as WKT or 'EPSG:n' (x = easting/longitude)."""
    pyproj = require("pyproj")
    transformer = pyproj.Transformer.from_crs(source_crs, target_crs, always_xy=True)
    tx, ty = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(tx), np.asarray(ty)
