"""Where an output goes when its destination is left empty, and two outputs given one path."""
import os
import re
import sys

from qgis.core import QgsProcessing, QgsProcessingOutputLayerDefinition, QgsProcessingUtils, QgsProperty

from .. import qgis_enums

_PROVIDER = re.compile(r"^[a-z]{2,}:")  # memory:, postgres:, ogr:dbname=...: a provider's URI, not a file path


def unnamed_output(alg, name, extension):
    """Where an output nobody named goes: nowhere (None) when it is optional, else a temporary file, as QGIS does
    for the outputs of its own models that the user leaves empty."""
    if alg.parameterDefinition(name).flags() & qgis_enums.OPTIONAL:
        return None
    return QgsProcessingUtils.generateTempFilename(f"{name.lower()}.{extension}")


def shared_destination(definitions, parameters):
    """The first two destination parameters of ``definitions`` given one path in ``parameters`` and that path, as
    (name, name, path), or None. Paths are compared as given, made absolute and resolved (case-insensitively
    where the file system is); temporary outputs, memory layers and database URIs are not paths and are left
    out. A layer name (``a.gpkg|layername=days``) makes a destination of its own."""
    seen = {}
    for definition in definitions:
        name = definition.name()
        path = destination_path(parameters.get(name))
        if path is None:
            continue
        key = _normalised(path)
        if key in seen:
            return seen[key][0], name, path
        seen[key] = (name, path)
    return None


def destination_path(value):
    """The file or folder path of a destination parameter's value, or None when it names no file (empty,
    temporary, a memory layer or a provider URI)."""
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        value = value.sink
    if isinstance(value, QgsProperty):
        if value.propertyType() != QgsProperty.StaticProperty:
            return None
        value = value.staticValue()
    if value is None:
        return None
    text = str(value).strip()
    if not text or text == QgsProcessing.TEMPORARY_OUTPUT or _PROVIDER.match(text):
        return None
    return text


def _normalised(path):
    file_part, _, layer = path.partition("|")
    resolved = os.path.normcase(os.path.realpath(os.path.expanduser(file_part)))
    if sys.platform == "darwin":  # its file systems ignore case by default
        resolved = resolved.lower()
    return resolved, layer.strip().lower()


def distinct_outputs_problem(definitions, parameters):
    """The message refusing two outputs on one path (see shared_destination), or ''."""
    clash = shared_destination(definitions, parameters)
    if clash is None:
        return ""
    first, second, path = clash
    return (f"{first} and {second} are both set to {path}: one output would overwrite the other. Give each "
            "output its own file.")
