"""A map page made with a QGIS print layout: title, map, legend, scale bar and north arrow, exported to PNG or
PDF. Used for the previews of a client map and for the reports of the tools that write one."""
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsLayoutExporter,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsMapLayerLegendUtils,
    QgsPrintLayout,
    QgsRectangle,
    QgsTextFormat,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QFont

from ...algorithms.core.errors import InputError
from ..qgis_enums import LAYOUT_MILLIMETERS, METERS, RASTER_LAYER

PAGE = (297.0, 210.0)  # mm, A4 landscape
MARGIN = 10.0
MAP_BOX = (MARGIN, 28.0, 210.0, 160.0)  # x, y, width, height (mm)
NORTH_ARROW = "arrows/NorthArrow_02.svg"


def _mm(x, y):
    return QgsLayoutPoint(x, y, LAYOUT_MILLIMETERS)


def _size(width, height):
    return QgsLayoutSize(width, height, LAYOUT_MILLIMETERS)


def _label(layout, text, x, y, width, height, points, bold=False):
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    if hasattr(label, "setTextFormat"):  # QGIS 3.24 and later (setFont is deprecated there)
        text_format = QgsTextFormat.fromQFont(font)
        text_format.setSize(points)
        label.setTextFormat(text_format)
    else:
        label.setFont(font)
    layout.addLayoutItem(label)
    label.attemptMove(_mm(x, y))
    label.attemptResize(_size(width, height))
    return label


def north_arrow_svg():
    """QGIS's own north arrow picture, from its SVG library."""
    for folder in QgsApplication.svgPaths():
        path = Path(folder) / NORTH_ARROW
        if path.exists():
            return str(path)
    return ""


def map_page(project, layers, title, subtitle, extent=None, crs=None):
    """A print layout of ``layers`` (first on top) with a title, a subtitle, a legend, a scale bar in metres and
    a north arrow; ``extent`` (QgsRectangle in ``crs``) defaults to the layers' extent with a margin."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize(_size(*PAGE))
    _label(layout, title, MARGIN, 6.0, PAGE[0] - 2 * MARGIN, 10.0, 18, bold=True)
    _label(layout, subtitle, MARGIN, 17.0, PAGE[0] - 2 * MARGIN, 8.0, 11)
    _add_map(layout, project, layers, 0.0, crs, extent)
    return layout


def _add_map(layout, project, layers, page_top, crs=None, extent=None):
    """The map of ``layers`` on the page starting at ``page_top`` (mm), with its legend, scale bar and arrow."""
    item = QgsLayoutItemMap(layout)
    layout.addLayoutItem(item)
    item.attemptResize(_size(*MAP_BOX[2:]))
    if crs is not None:
        item.setCrs(crs)
    item.zoomToExtent(extent if extent is not None else _extent(layers, item.crs(), project))
    item.attemptMove(_mm(MAP_BOX[0], page_top + MAP_BOX[1]))  # after the zoom: moving first empties it in 3.22
    item.setLayers(list(layers))
    item.setKeepLayerSet(True)
    item.setFrameEnabled(True)
    _legend(layout, item, layers, page_top)
    _scale_bar(layout, item, page_top)
    _north_arrow(layout, page_top)
    return item


def _extent(layers, crs, project):
    """The union of the layers' extents in ``crs``, grown by 5 % of its larger side."""
    from qgis.core import QgsCoordinateTransform
    extent = None
    for layer in layers:
        box = QgsCoordinateTransform(layer.crs(), crs, project.transformContext()).transformBoundingBox(
            layer.extent())
        if box.isEmpty():
            continue
        if extent is None:
            extent = QgsRectangle(box)
        else:
            extent.combineExtentWith(box)
    if extent is None:
        raise InputError("Nothing to draw: the layers have no extent.")
    return extent.buffered(0.05 * max(extent.width(), extent.height()))


def _legend(layout, item, layers, page_top=0.0):
    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(item)
    legend.setAutoUpdateModel(False)
    root = legend.model().rootGroup()
    root.removeAllChildren()
    for layer in layers:
        node = root.addLayer(layer)
        if layer.type() == RASTER_LAYER:  # keep the colour ramp, not the band's name above it
            QgsMapLayerLegendUtils.setLegendNodeOrder(node, [len(legend.model().layerLegendNodes(node)) - 1])
            legend.model().refreshLayerLegend(node)
    legend.setTitle("Legend")
    layout.addLayoutItem(legend)
    legend.attemptMove(_mm(MAP_BOX[0] + MAP_BOX[2] + 6.0, page_top + MAP_BOX[1]))
    legend.adjustBoxSize()


def _scale_bar(layout, item, page_top=0.0):
    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(item)
    bar.setUnits(METERS)
    bar.setUnitLabel("m")
    bar.applyDefaultSize(METERS)
    layout.addLayoutItem(bar)
    bar.attemptMove(_mm(MAP_BOX[0], page_top + MAP_BOX[1] + MAP_BOX[3] + 3.0))


def _north_arrow(layout, page_top=0.0):
    svg = north_arrow_svg()
    if not svg:
        return
    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(svg)
    layout.addLayoutItem(arrow)
    arrow.attemptResize(_size(12.0, 18.0))
    arrow.attemptMove(_mm(MAP_BOX[0] + MAP_BOX[2] - 16.0, page_top + MAP_BOX[1] + 4.0))


def export_png(layout, path, dpi=110):
    """Write the layout's first page as a PNG; raises OSError when it cannot be written. The page is rendered to
    an image and saved, not exported with exportToImage: that one georeferences its output through GDAL, whose
    PNG driver cannot update a file, and prints an ERROR for every picture."""
    image = QgsLayoutExporter(layout).renderPageToImage(0, QSize(), dpi)
    if image.isNull() or not image.save(str(path), "PNG"):
        raise OSError(f"could not write the image {path}")
    return path


def export_pdf(layout, path):
    """Write the layout as a PDF; raises OSError when it cannot be written."""
    if QgsLayoutExporter(layout).exportToPdf(str(path), QgsLayoutExporter.PdfExportSettings()) != \
            QgsLayoutExporter.ExportResult.Success:
        raise OSError(f"could not write the PDF {path}")
    return path


def report(project, title, subtitle, tables, pictures=(), map_layers=None):
    """A report as a print layout: a title and subtitle, each picture (PNG paths: charts) across the page, then
    each table [(caption, headers, rows of text)] flowing over as many pages as it needs, and, when
    ``map_layers`` are given, a last page with that map, its legend, scale bar and north arrow."""
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.pageCollection().page(0).setPageSize(_size(*PAGE))
    _label(layout, title, MARGIN, 6.0, PAGE[0] - 2 * MARGIN, 10.0, 18, bold=True)
    _label(layout, subtitle, MARGIN, 17.0, PAGE[0] - 2 * MARGIN, 8.0, 11)
    y = 28.0
    for path in pictures:
        picture = QgsLayoutItemPicture(layout)
        picture.setPicturePath(str(path))
        layout.addLayoutItem(picture)
        picture.attemptMove(_mm(MARGIN, y))
        picture.attemptResize(_size(PAGE[0] - 2 * MARGIN, 80.0))
        y += 84.0
    for caption, headers, rows in tables:
        y = _table(layout, caption, headers, rows, y)
    if map_layers:
        _map_page(layout, project, map_layers, "Client map")
    return layout


def _table(layout, caption, headers, rows, y):
    """Add a captioned text table at ``y`` (mm) on the last page; it repeats onto new pages until it fits.
    Returns where the next item goes."""
    from qgis.core import QgsLayoutFrame, QgsLayoutItemTextTable, QgsLayoutMultiFrame, QgsLayoutTableColumn
    if y > PAGE[1] - 40.0:
        layout.pageCollection().addPage(_new_page(layout))
        y = MARGIN
    page_top = (layout.pageCollection().pageCount() - 1) * (PAGE[1] + 10.0)  # QGIS stacks pages 10 mm apart
    _label(layout, caption, MARGIN, page_top + y, PAGE[0] - 2 * MARGIN, 7.0, 11, bold=True)
    table = QgsLayoutItemTextTable(layout)
    layout.addMultiFrame(table)
    table.setColumns([QgsLayoutTableColumn(header) for header in headers])
    table.setContents([[str(cell) for cell in row] for row in rows])
    table.setResizeMode(QgsLayoutMultiFrame.ResizeMode.RepeatUntilFinished)
    frame = QgsLayoutFrame(layout, table)
    frame.attemptMove(_mm(MARGIN, page_top + y + 8.0))
    frame.attemptResize(_size(PAGE[0] - 2 * MARGIN, PAGE[1] - y - 8.0 - MARGIN))
    table.addFrame(frame)
    table.recalculateFrameSizes()
    last = table.frame(table.frameCount() - 1)
    return last.pagePositionWithUnits().y() + last.rect().height() + 8.0


def _new_page(layout):
    from qgis.core import QgsLayoutItemPage
    page = QgsLayoutItemPage(layout)
    page.setPageSize(_size(*PAGE))
    return page


def _map_page(layout, project, layers, caption):
    """A page of its own with the map of ``layers`` (in the last layer's CRS, at their extent) under ``caption``."""
    layout.pageCollection().addPage(_new_page(layout))
    page_top = (layout.pageCollection().pageCount() - 1) * (PAGE[1] + 10.0)
    _label(layout, caption, MARGIN, page_top + 10.0, PAGE[0] - 2 * MARGIN, 10.0, 14, bold=True)
    _add_map(layout, project, layers, page_top, layers[-1].crs())
