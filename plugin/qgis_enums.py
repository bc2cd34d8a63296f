"""The QGIS enum values the plugin uses, in the form the running QGIS prefers.

QGIS 3.36 moved the Processing enums into ``Qgis`` (the old class members are deprecated), 3.38 moved field
types from QVariant to QMetaType, 3.30 the geometry types to ``Qgis.WkbType``. The plugin supports 3.22 LTR
(which has only the old forms) to 3.40 LTR and later, so each value is looked up once here.
"""
from qgis.core import (
    Qgis,
    QgsProcessing,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QMetaType, QVariant

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

_TYPES = QMetaType if _FIELDS_BY_METATYPE else QVariant
FIELD_DOUBLE = _TYPES.Double
FIELD_INTEGER = _TYPES.LongLong
FIELD_TEXT = QMetaType.QString if _FIELDS_BY_METATYPE else QVariant.String
FIELD_DATETIME = QMetaType.QDateTime if _FIELDS_BY_METATYPE else QVariant.DateTime
FIELD_DATE = QMetaType.QDate if _FIELDS_BY_METATYPE else QVariant.Date
