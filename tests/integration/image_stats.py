"""Pixel statistics of rendered QImages for the GUI tests (imported by the test modules beside it)."""
import numpy as np
from qgis.PyQt.QtGui import QImage


def rgb_array(image):
    """(height, width, 3) uint8 RGB copy of a QImage."""
    image = image.convertToFormat(QImage.Format_RGB888)
    bits = image.constBits()
    bits.setsize(image.bytesPerLine() * image.height())
    rows = np.frombuffer(bits, np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()
