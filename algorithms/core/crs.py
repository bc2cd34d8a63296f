"""Choosing a metric CRS: the UTM zone of the access points when their CRS is geographic."""
import numpy as np


def utm_epsg(lon, lat):
    """EPSG code of the WGS84 UTM zone containing (lon, lat) in degrees."""
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def utm_for_points(lon, lat):
    """'EPSG:n' of the UTM zone of the centroid of the given lon/lat points."""
    return f"EPSG:{utm_epsg(float(np.mean(lon)), float(np.mean(lat)))}"

