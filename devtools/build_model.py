"""Build resources/models/pipeline.model3: the paper's Figure 19 flow, from raw tables to the client map.

Run after changing a tool's parameters: `.venv/bin/python devtools/build_model.py` (needs QGIS's Python).
The model is generated from the live algorithm definitions so its parameter names cannot drift from them.
"""
import sys

from plugin_package import ROOT, import_plugin_package
from qgis.core import (
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildDependency,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterString,
)
from qgis.core import QgsProcessingModelChildParameterSource as Source
from qgis.PyQt.QtCore import QPointF

import_plugin_package()
from wifidensity.algorithms.season.flow import BOTH, FLOWS  # noqa: E402 (the package is importable from here)
from wifidensity.plugin import parameters as params  # noqa: E402
from wifidensity.plugin import qgis_enums  # noqa: E402

MODEL_NAME = "pipeline"
DEFAULT_FLOW = FLOWS.index(BOTH)
# native:condition branches: each flow's children run only when FLOW selects it (an unset FLOW is NULL there)
BRANCHES = {"paper": (f"coalesce(@FLOW, {DEFAULT_FLOW}) <> 1",
                      ("bowl_kept", "bowl_removed", "renormalize", "drilldown", "count", "reassemble")),
            "ml": (f"coalesce(@FLOW, {DEFAULT_FLOW}) <> 0", ("mldensity",))}


def model_inputs():
    """The model's own parameters in the order a user reads them: the tables, the window, the method; then, folded
    as advanced, the fields and the knobs an analyst tunes."""
    inputs = [
        params.source("PROBES", "Probe request table", [qgis_enums.VECTOR],
                      help_text="One row per probe request: time, AP id, MAC (or token), RSS in dBm."),
        params.access_points(),
        QgsProcessingParameterString("START", "Window start (ISO time; empty: first PR)", optional=True),
        QgsProcessingParameterString("END", "Window end, excluded (empty: after the last PR)", optional=True),
        params.source("CONNECTIONS", "Connections table (MACs of connected clients)", [qgis_enums.VECTOR],
                      optional=True),
        params.pipeline_radio(),
        *params.pipeline_choices(),
    ]
    fields = [params.field(name, "PROBES", advanced=True) for name in ("TIME_FIELD", "AP_FIELD", "MAC_FIELD",
                                                                       "RSS_FIELD")]
    fields += [params.field("AP_ID_FIELD", "APS", advanced=True), params.field("INDOOR_FIELD", "APS", advanced=True),
               params.field("CONNECTIONS_MAC_FIELD", "CONNECTIONS", advanced=True)]
    knobs = params.pipeline_knobs()
    return inputs + fields + knobs


def _sources(spec):
    """Model sources from a compact spec: '@NAME' a model input, 'child.OUTPUT' a child output, else static."""
    values = spec if isinstance(spec, list) else [spec]
    result = []
    for value in values:
        if isinstance(value, str) and value.startswith("@"):
            result.append(Source.fromModelParameter(value[1:]))
        elif isinstance(value, str) and "." in value and value.split(".")[0].islower():
            child, output = value.split(".")
            result.append(Source.fromChildOutput(child, output))
        else:
            result.append(Source.fromStaticValue(value))
    return result


PROBE_FIELDS = {"TIME_FIELD": "@TIME_FIELD", "AP_FIELD": "@AP_FIELD", "MAC_FIELD": "@MAC_FIELD",
                "RSS_FIELD": "@RSS_FIELD"}
CONNECTIONS = {"CONNECTIONS": "@CONNECTIONS", "CONNECTIONS_MAC_FIELD": "@CONNECTIONS_MAC_FIELD"}
STANDARD_FIELDS = {"TIME_FIELD": "time", "AP_FIELD": "ap_id", "MAC_FIELD": "mac", "RSS_FIELD": "rss"}
APS = {"APS": "@APS", "AP_ID_FIELD": "@AP_ID_FIELD"}
BOWL = dict(AP_FIELD="ap_id", RSS_FIELD="rss", **APS, A="localize.A", N="localize.N", RADIO="@RADIO",
            PIXEL_SIZE="@PIXEL_SIZE", CRS="@CRS", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT)  # for the kept and removed

# what the dialog calls the model's outputs (from the command line they are <child>:<name>)
OUTPUT_LABELS = {"CLIENT_MAP": "Client map, the paper's flow (clients/m²)",
                 "ML_CLIENT_MAP": "Client map, maximum likelihood (clients/m²)",
                 "FIDUCIAL": "Fiducial region (edit it by hand, then rerun the steps after it)",
                 "LOCALIZATIONS": "Localized emissions", "ZONES": "Zones with their X and clients",
                 "SUMMARY": "Clients per zone",
                 "RADIO_TABLE": "Radio of the maximum-likelihood map (one point per AP; a RADIO for later runs)"}

# (child id, algorithm, parameters, {model output name: child output}, description); in flow order.
CHILDREN = [
    ("preprocess", "wifidensity:preprocess",
     dict(INPUT="@PROBES", **PROBE_FIELDS, **CONNECTIONS, START="@START", END="@END",
          SECRET="@SECRET", GROUPING="@GROUPING", COUNT_EMISSIONS=True, OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {}, "1. Preprocessing: CR PRs, emissions, P1..P3"),
    ("filter", "wifidensity:filter",
     dict(INPUT="preprocess.OUTPUT", AP_FIELD="ap_id", RSS_FIELD="rss", **APS, INDOOR_FIELD="@INDOOR_FIELD",
          RSS_MAX="@RSS_MAX", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT, REMOVED=QgsProcessing.TEMPORARY_OUTPUT),
     {}, "2. Filtering: indoor APs and strong RSS apart"),
    ("localize", "wifidensity:localize",
     dict(INPUT="filter.OUTPUT", **STANDARD_FIELDS, **APS, CALIBRATE=True, RADIO="@RADIO",
          OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {"LOCALIZATIONS": "OUTPUT"}, "6. Localization and path-loss calibration"),
    ("fiducial", "wifidensity:fiducial",
     dict(INPUT="localize.OUTPUT", LAYER="@LAYER", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {"FIDUCIAL": "OUTPUT"}, "7. Fiducial region (convex layer)"),
    ("bowl_kept", "wifidensity:bowl",
     dict(INPUT="filter.OUTPUT", **BOWL),
     {}, "3. Bowl of the kept PRs"),
    ("bowl_removed", "wifidensity:bowl",
     dict(INPUT="filter.REMOVED", **BOWL),
     {}, "3. Bowl of the removed PRs (a separate piece)"),
    ("renormalize", "wifidensity:renormalize",
     dict(INPUT="bowl_kept.OUTPUT", REGION="fiducial.OUTPUT", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {}, "4. Renormalization into the fiducial region"),
    ("drilldown", "wifidensity:drilldown",
     dict(INPUT="renormalize.OUTPUT", RETAIN="@RETAIN", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT,
          PEAKS=QgsProcessing.TEMPORARY_OUTPUT),
     {}, "8. Drill-Down: capped base and peaks"),
    ("count", "wifidensity:count",
     dict(P="preprocess.P", P1="preprocess.P1", P2="preprocess.P2", P3="preprocess.P3", P_MORE="preprocess.P_MORE",
          WINDOW_HOURS="preprocess.WINDOW_HOURS", X_DAY="@X_DAY", METHOD="@METHOD", ZONES="fiducial.OUTPUT",
          DENSITY="drilldown.PEAKS", POINTS="localize.OUTPUT", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {"ZONES": "OUTPUT"}, "5. Counting: X and clients"),
    ("reassemble", "wifidensity:reassemble",
     dict(PIECES=["drilldown.OUTPUT", "bowl_removed.OUTPUT"], X="count.X", POSITION_PIECE="drilldown.PEAKS",
          ZONES_X="count.OUTPUT", X_FIELD="x", SMOOTH="@SMOOTH", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT,
          SUMMARY=QgsProcessing.TEMPORARY_OUTPUT),
     {"CLIENT_MAP": "OUTPUT", "SUMMARY": "SUMMARY"}, "9. Reassembly: the client map"),
    ("mldensity", "wifidensity:mldensity",
     # A and N: the counts estimator's path loss, and the list-mode fit's starting n (it fits its own radio)
     dict(INPUT="preprocess.OUTPUT", **APS, INDOOR_FIELD="@INDOOR_FIELD", ESTIMATOR="@ML_ESTIMATOR",
          RADIO="@RADIO", A="localize.A", N="localize.N", X_DAY="@X_DAY", WINDOW_HOURS="preprocess.WINDOW_HOURS",
          PIXEL_SIZE="@PIXEL_SIZE", CRS="@CRS", OUTPUT=QgsProcessing.TEMPORARY_OUTPUT),
     {"ML_CLIENT_MAP": "OUTPUT", "RADIO_TABLE": "RADIO_OUTPUT"}, "Beyond the paper: maximum-likelihood client map"),
]


def _defaults(algorithm_id):
    """Every input of a tool with a default, set to it, as the modeler does when an algorithm is dropped in."""
    algorithm = QgsApplication.processingRegistry().algorithmById(algorithm_id)
    return {p.name(): p.defaultValue() for p in algorithm.parameterDefinitions()
            if not p.isDestination() and p.defaultValue() is not None}


def _flow_switch():
    """The FLOW switch: a conditional branch per flow (a flow's children depend on its branch)."""
    switch = QgsProcessingModelChildAlgorithm("native:condition")
    switch.setChildId("flow")
    switch.setDescription("Which client map(s): FLOW")
    switch.setConfiguration({"conditions": [{"name": name, "expression": expression}
                                            for name, (expression, _) in BRANCHES.items()]})
    switch.setPosition(QPointF(900, 480))
    return switch


def build_model():
    """The pipeline as a QgsProcessingModelAlgorithm (the wifidensity provider must be registered)."""
    model = QgsProcessingModelAlgorithm(MODEL_NAME, "2. Beyond the paper")
    model.setName(MODEL_NAME)
    model.setGroup("Pipeline")
    inputs = model_inputs()
    for row, parameter in enumerate(inputs):
        component = QgsProcessingModelParameter(parameter.name())
        component.setPosition(QPointF(120 + 260 * (row % 4), 60 + 60 * (row // 4)))
        model.addModelParameter(parameter, component)
    model.setParameterOrder([parameter.name() for parameter in inputs])
    model.addChildAlgorithm(_flow_switch())
    branch_of = {child: branch for branch, (_, children) in BRANCHES.items() for child in children}
    for row, (child_id, algorithm, parameters, outputs, description) in enumerate(CHILDREN):
        child = QgsProcessingModelChildAlgorithm(algorithm)
        child.setChildId(child_id)
        child.setDescription(description)
        child.setPosition(QPointF(220 + 380 * (row % 2), 480 + 110 * row))
        for name, spec in {**_defaults(algorithm), **parameters}.items():
            child.addParameterSources(name, _sources(spec))
        model_outputs = {}
        for output_name, child_output in outputs.items():
            output = QgsProcessingModelOutput(output_name, OUTPUT_LABELS[output_name])
            output.setMandatory(False)
            output.setDefaultValue(QgsProcessing.TEMPORARY_OUTPUT)  # unnamed: a temporary file, as QGIS does
            output.setChildId(child_id)
            output.setChildOutputName(child_output)
            output.setPosition(QPointF(child.position().x() + 300, child.position().y()))
            model_outputs[output_name] = output
        child.setModelOutputs(model_outputs)
        if child_id in branch_of:
            child.setDependencies([QgsProcessingModelChildDependency("flow", branch_of[child_id])])
        model.addChildAlgorithm(child)
    model.setHelpContent({"ALG_DESC": (ROOT / "resources" / "help" / f"{MODEL_NAME}.html").read_text(encoding="utf-8")})
    return model


def main(path):
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")  # QGIS's own processing plugin
    from processing.core.Processing import Processing
    Processing.initialize()
    import_plugin_package()
    from wifidensity.plugin.provider import WifiDensityProvider
    provider = WifiDensityProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    model = build_model()
    errors = [error for child in model.childAlgorithms().values() for error in _child_errors(model, child)]
    if errors:
        sys.exit("The model does not fit the tools:\n" + "\n".join(errors))
    if not model.toFile(path):
        sys.exit(f"Could not write {path}")
    print(f"Wrote {path}")


def _child_errors(model, child):
    algorithm = QgsApplication.processingRegistry().algorithmById(child.algorithmId())
    if algorithm is None:
        return [f"{child.childId()}: no algorithm {child.algorithmId()}"]
    known = {p.name() for p in algorithm.parameterDefinitions()}
    return [f"{child.childId()}: {child.algorithmId()} has no parameter {name}"
            for name in child.parameterSources() if name not in known]


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "resources" / "models" / "pipeline.model3"))
