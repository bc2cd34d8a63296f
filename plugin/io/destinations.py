"""Where an output goes when its destination is left empty."""
from qgis.core import QgsProcessingUtils

from .. import qgis_enums


def unnamed_output(alg, name, extension):
    """Where an output nobody named goes: nowhere (None) when it is optional, else a temporary file, as QGIS does
    for the outputs of its own models that the user leaves empty."""
    if alg.parameterDefinition(name).flags() & qgis_enums.OPTIONAL:
        return None
    return QgsProcessingUtils.generateTempFilename(f"{name.lower()}.{extension}")
