"""A north-up raster grid with square pixels in a metric CRS."""
from dataclasses import dataclass

import numpy as np

from .errors import InputError


@dataclass(frozen=True)
class Grid:
    """x_min, y_max: top-left corner (m); pixel: side (m); width, height: pixels; crs: WKT or 'EPSG:n'."""

    x_min: float
    y_max: float
    pixel: float
    width: int
    height: int
    crs: str = ""

    @classmethod
    def covering(cls, x_min, y_min, x_max, y_max, pixel, crs=""):
        """The smallest grid of ``pixel``-sized cells that covers the box, anchored at its top-left corner."""
        if not (np.isfinite(pixel) and pixel > 0):
            raise InputError(f"PIXEL_SIZE = {pixel:g} m: the pixel size must be a positive number of metres.")
        if not (x_max > x_min and y_max > y_min):
            raise InputError("The output extent is empty: give an EXTENT with width and height, "
                             "or APs that span an area.")
        width = int(np.ceil((x_max - x_min) / pixel - 1e-9))
        height = int(np.ceil((y_max - y_min) / pixel - 1e-9))
        if width * height > 200_000_000:
            raise InputError(
                f"The grid would have {width} x {height} pixels; raise PIXEL_SIZE or shrink the EXTENT.")
        return cls(float(x_min), float(y_max), float(pixel), width, height, crs)

    @property
    def shape(self):
        return (self.height, self.width)

    @property
    def cell_area(self):
        return self.pixel * self.pixel

    @property
    def bounds(self):
        """(x_min, y_min, x_max, y_max) in metres."""
        return (self.x_min, self.y_max - self.height * self.pixel,
                self.x_min + self.width * self.pixel, self.y_max)

    def centres(self):
        """1-D arrays of the x of each column centre and the y of each row centre (rows top to bottom)."""
        xs = self.x_min + (np.arange(self.width) + 0.5) * self.pixel
        ys = self.y_max - (np.arange(self.height) + 0.5) * self.pixel
        return xs, ys

    def transform(self):
        """The GDAL geotransform (x_min, pixel, 0, y_max, 0, -pixel)."""
        return (self.x_min, self.pixel, 0.0, self.y_max, 0.0, -self.pixel)
