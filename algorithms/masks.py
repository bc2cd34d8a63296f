"""Polygons -> cell masks on a Grid: a pixel belongs to a polygon when its centre lies inside it."""
import numpy as np

from .optional import require


def polygon_mask(geometry, grid):
    """Boolean (height x width) array of the pixels of ``grid`` whose centre lies in ``geometry`` (shapely)."""
    if geometry is None or geometry.is_empty:
        return np.zeros(grid.shape, dtype=bool)
    features = require("rasterio.features")
    from rasterio.transform import Affine
    return features.geometry_mask([geometry], out_shape=grid.shape, transform=Affine.from_gdal(*grid.transform()),
                                  invert=True)
