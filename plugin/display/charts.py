"""Charts of counts over time drawn with Qt (no plotting library needed in QGIS's Python): bars for a few days,
lines for many windows; a missing value (withheld or empty) leaves a gap."""
import math

from qgis.PyQt.QtCore import QPointF, QRectF, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter, QPen

from ...algorithms.core.errors import InputError

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")
MARGINS = (70, 50, 30, 80)  # left, top, right, bottom (px)


def nice_ticks(top, count=5):
    """Round tick values from 0 to at least ``top``."""
    top = top if top > 0 else 1.0
    raw = top / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    return [i * step for i in range(int(math.ceil(top / step)) + 1)]


def time_chart(path, labels, series, title, y_label, bars=None, size=(1000, 460)):
    """Write a PNG chart: ``labels`` (text per step along x), ``series`` [(name, values)] with None for a missing
    value; bars when there are few steps (``bars`` None: up to 31), lines otherwise. Returns the path."""
    if not labels:
        raise InputError("There is nothing to chart: no day or window.")
    bars = len(labels) <= 31 if bars is None else bars
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    try:
        _draw(painter, size, labels, series, title, y_label, bars)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):
        raise InputError(f"CHART: the image '{path}' could not be written; check the folder exists and is writable.")
    return path


def _draw(painter, size, labels, series, title, y_label, bars):
    left, top, right, bottom = MARGINS
    plot = QRectF(left, top, size[0] - left - right, size[1] - top - bottom)
    values = [v for _, vs in series for v in vs if v is not None]
    ticks = nice_ticks(max(values, default=0.0))
    scale = plot.height() / ticks[-1]
    step = plot.width() / len(labels)
    font = QFont()
    font.setPointSize(9)
    painter.setFont(font)
    _axes(painter, plot, ticks, scale, labels, step, y_label)
    for number, (name, vs) in enumerate(series):
        colour = QColor(PALETTE[number % len(PALETTE)])
        if bars:
            _bars(painter, plot, vs, scale, step, number, len(series), colour)
        else:
            _lines(painter, plot, vs, scale, step, colour)
        _legend_entry(painter, plot, number, name, colour)
    title_font = QFont()
    title_font.setPointSize(12)
    title_font.setBold(True)
    painter.setFont(title_font)
    painter.setPen(QColor("black"))
    painter.drawText(QRectF(0, 8, size[0], 30), Qt.AlignmentFlag.AlignHCenter, title)


def _axes(painter, plot, ticks, scale, labels, step, y_label):
    painter.setPen(QPen(QColor("#cccccc"), 1))
    for tick in ticks:
        y = plot.bottom() - tick * scale
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
    painter.setPen(QColor("black"))
    for tick in ticks:
        y = plot.bottom() - tick * scale
        painter.drawText(QRectF(0, y - 8, plot.left() - 6, 16),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{tick:g}")
    every = max(1, int(math.ceil(len(labels) / max(plot.width() / 70, 1))))  # about one label per 70 px
    for index in range(0, len(labels), every):
        x = plot.left() + (index + 0.5) * step
        painter.save()
        painter.translate(x, plot.bottom() + 8)
        painter.rotate(35)
        painter.drawText(QPointF(0, 8), str(labels[index]))
        painter.restore()
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    painter.save()
    painter.translate(16, plot.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-plot.height() / 2, -10, plot.height(), 20), Qt.AlignmentFlag.AlignCenter, y_label)
    painter.restore()


def _bars(painter, plot, values, scale, step, number, count, colour):
    width = 0.8 * step / count
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    for index, value in enumerate(values):
        if value is None:
            continue
        x = plot.left() + index * step + 0.1 * step + number * width
        painter.drawRect(QRectF(x, plot.bottom() - value * scale, width, value * scale))


def _lines(painter, plot, values, scale, step, colour):
    painter.setPen(QPen(colour, 2))
    previous = None
    for index, value in enumerate(values):
        point = None if value is None else QPointF(plot.left() + (index + 0.5) * step, plot.bottom() - value * scale)
        if point is not None and previous is not None:
            painter.drawLine(previous, point)
        previous = point


def _legend_entry(painter, plot, number, name, colour):
    x, y = plot.right() - 170, plot.top() + 6 + 18 * number
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRect(QRectF(x, y, 12, 12))
    painter.setPen(QColor("black"))
    painter.drawText(QPointF(x + 18, y + 11), name)
