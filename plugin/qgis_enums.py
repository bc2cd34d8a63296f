"""The QGIS enum values the plugin uses, in the form the running QGIS prefers.

QGIS 3.36 moved the Processing enums into ``Qgis`` (the old class members are deprecated), 3.38 moved field
types from QVariant to QMetaType, 3.30 the geometry types, units and layer types into ``Qgis``, 3.34 the layer
filters, 3.36 the feature request flags; QGIS 4 drops the old forms. The plugin supports 3.22 LTR (which has only
the old forms) to QGIS 4, so each value is looked up once here, by what the running QGIS has.

This is the one module that may name ``QVariant``: QGIS before 3.38 types fields with ``QVariant.Type`` and has
no other way, so that form is taken only when the running QGIS is older than 3.38.
"""
from qgis.core import (
    Qgis,
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType

_PROCESSING_IN_QGIS = hasattr(Qgis, "ProcessingSourceType")  # 3.36
_FIELDS_BY_METATYPE = Qgis.QGIS_VERSION_INT >= 33800

if _PROCESSING_IN_QGIS:
    VECTOR = Qgis.ProcessingSourceType.Vector
    POINTS = Qgis.ProcessingSourceType.VectorPoint
    POLYGONS = Qgis.ProcessingSourceType.VectorPolygon
    LINES = Qgis.ProcessingSourceType.VectorLine
    RASTER = Qgis.ProcessingSourceType.Raster
    FILE_LIST = Qgis.ProcessingSourceType.File
    DOUBLE = Qgis.ProcessingNumberParameterType.Double
    INTEGER = Qgis.ProcessingNumberParameterType.Integer
    NUMERIC_FIELD = Qgis.ProcessingFieldParameterDataType.Numeric
    ADVANCED = Qgis.ProcessingParameterFlag.Advanced
    OPTIONAL = Qgis.ProcessingParameterFlag.Optional
else:
    VECTOR = QgsProcessing.TypeVector
    POINTS = QgsProcessing.TypeVectorPoint
    POLYGONS = QgsProcessing.TypeVectorPolygon
    LINES = QgsProcessing.TypeVectorLine
    RASTER = QgsProcessing.TypeRaster
    FILE_LIST = QgsProcessing.TypeFile
    DOUBLE = QgsProcessingParameterNumber.Double
    INTEGER = QgsProcessingParameterNumber.Integer
    NUMERIC_FIELD = QgsProcessingParameterField.Numeric
    ADVANCED = QgsProcessingParameterDefinition.FlagAdvanced
    OPTIONAL = QgsProcessingParameterDefinition.FlagOptional

if hasattr(Qgis, "WkbType"):
    NO_GEOMETRY, POINT, MULTI_POLYGON, LINE = (Qgis.WkbType.NoGeometry, Qgis.WkbType.Point, Qgis.WkbType.MultiPolygon,
                                              Qgis.WkbType.LineString)
else:
    NO_GEOMETRY, POINT, MULTI_POLYGON, LINE = (QgsWkbTypes.NoGeometry, QgsWkbTypes.Point, QgsWkbTypes.MultiPolygon,
                                              QgsWkbTypes.LineString)

if _FIELDS_BY_METATYPE:  # QGIS 3.38 and later (QGIS 4 too): QMetaType.Type
    FIELD_DOUBLE = QMetaType.Type.Double
    FIELD_INTEGER = QMetaType.Type.LongLong
    FIELD_TEXT = QMetaType.Type.QString
    FIELD_DATETIME = QMetaType.Type.QDateTime
    FIELD_DATE = QMetaType.Type.QDate
else:  # QGIS 3.22-3.36, always Qt 5: QgsField takes nothing but a QVariant.Type, written QVariant.Double etc.
    # (the form QGIS's PyQt5-to-PyQt6 checker asks for: PyQt6 has no QVariant.Type)
    from qgis.PyQt.QtCore import QVariant
    FIELD_DOUBLE = QVariant.Double
    FIELD_INTEGER = QVariant.LongLong
    FIELD_TEXT = QVariant.String
    FIELD_DATETIME = QVariant.DateTime
    FIELD_DATE = QVariant.Date

if hasattr(Qgis, "GeometryType"):  # 3.30
    GEOMETRY_POINT, GEOMETRY_UNKNOWN = Qgis.GeometryType.Point, Qgis.GeometryType.Unknown
    LAYOUT_MILLIMETERS = Qgis.LayoutUnit.Millimeters
    METERS = Qgis.DistanceUnit.Meters
    RASTER_LAYER = Qgis.LayerType.Raster
else:
    from qgis.core import QgsMapLayerType, QgsUnitTypes
    GEOMETRY_POINT = QgsWkbTypes.GeometryType.PointGeometry
    GEOMETRY_UNKNOWN = QgsWkbTypes.GeometryType.UnknownGeometry
    LAYOUT_MILLIMETERS = QgsUnitTypes.LayoutUnit.LayoutMillimeters
    METERS = QgsUnitTypes.DistanceUnit.DistanceMeters
    RASTER_LAYER = QgsMapLayerType.RasterLayer

if hasattr(Qgis, "CrsWktVariant"):  # 3.36
    WKT_PREFERRED = Qgis.CrsWktVariant.Preferred
else:
    from qgis.core import QgsCoordinateReferenceSystem
    WKT_PREFERRED = QgsCoordinateReferenceSystem.WktVariant.WKT_PREFERRED

if hasattr(Qgis, "LayerFilter"):  # 3.34
    RASTER_LAYER_FILTER = Qgis.LayerFilter.RasterLayer
else:
    from qgis.core import QgsMapLayerProxyModel
    RASTER_LAYER_FILTER = QgsMapLayerProxyModel.Filter.RasterLayer

if hasattr(Qgis, "FeatureRequestFlag"):  # 3.36
    NO_GEOMETRY_REQUEST = Qgis.FeatureRequestFlag.NoGeometry
else:
    from qgis.core import QgsFeatureRequest
    NO_GEOMETRY_REQUEST = QgsFeatureRequest.Flag.NoGeometry
