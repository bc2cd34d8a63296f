"""One time window of the pipeline, QGIS-free: what the shipped model ``wifidensity:pipeline`` does, step by step.

The paper's flow (Figure 19): Preprocessing (§3.4) -> Filtering (§4.5) -> Localization and path-loss
calibration (§4.6) -> fiducial region (§5.1.2) -> Bowl of the kept and of the removed PRs (§4.2) ->
Renormalization into the region (§4.3) -> Drill-Down (§5.1.4) -> Counting (§4.4) -> Reassembly (§1.6); beside
it, the maximum-likelihood client map: by default the self-calibrating list-mode estimator
(radio/listmode_density.py), which fits its own radio and starts from the Localization tool's n; with the counts
estimator (radio/mldensity.py), the Localization tool's A and n. FLOW chooses the maps. With a radio table (RADIO,
radio_table.py) nothing is calibrated: the Localization tool takes its A, n and determined gains, the bowls its
A, n, sigma and determined gains, the maximum-likelihood map its whole radio.

The TABLE row reports two calibrations: ``a``, ``n``, ``calibration`` are the Localization tool's (paper §4.6;
it runs in every flow, and the paper's flow uses them); ``a_ml``, ``n_ml``, ``calibration_ml`` are the A and n
the maximum-likelihood map used and the status of its calibration (the list-mode fit's; 'not calibrated' when
its radio was given: a radio table, or the counts estimator's A and n), None when FLOW leaves that map out.

Every setting the model does not expose keeps its tool's default. Between its tools the model hands on
tables and float32 GeoTIFFs; the same rounding happens here at the same points (times as ISO text with
microseconds, emission ids as text for the Localization tool, rasters through ``core.geotiff.stored``), so a
window computed here gives the model's numbers and maps exactly.
"""
from dataclasses import dataclass, field

import numpy as np

from ..core.errors import InputError
from ..core.geotiff import stored
from ..core.masks import region_mask
from ..core.progress import SILENT, SubProgress
from ..core.timeparse import to_iso, to_seconds
from ..counting.counting import DEFAULT_X_DAY, MULTIPLICITY, window_x
from ..counting.preprocess import BURSTS, preprocess
from ..counting.zone_counts import count_site, zone_table
from ..counting.zones import zones_from_polygons
from ..paper.apollonius import DEGENERATE, QUALITY_NAMES
from ..paper.bowl import DEFAULT_MARGIN, bowl, bowl_grid
from ..paper.drilldown import drill_down
from ..paper.fiducial import DEFAULT_LAYER, fiducial_region, good_points
from ..paper.filtering import split_probes
from ..paper.localization import localize_probes
from ..paper.pathloss import DEFAULT_N, DEFAULT_SIGMA_RSS
from ..paper.reassemble import clients, smoothed, zone_summary, zone_x_from
from ..paper.renormalize import renormalize
from ..radio.listmode_density import listmode_client_map
from ..radio.mldensity import ml_client_map, without_indoor_aps
from ..radio.radio_table import NOT_CALIBRATED, RadioTable, prs_heard

PAPER, ML, BOTH = "paper", "ml", "both"
FLOWS = (PAPER, ML, BOTH)  # the order of the model's FLOW choices
LISTMODE, COUNTS = "list-mode", "counts"
ESTIMATORS = (LISTMODE, COUNTS)  # the order of the model's ML_ESTIMATOR choices (mldensity's ESTIMATOR)
TABLE_FIELDS = ("start", "end", "p", "p1", "p2", "p3", "emissions", "x", "clients_paper", "clients_ml", "a", "n",
                "calibration", "a_ml", "n_ml", "calibration_ml", "status")
MAPPED, EMPTY = "mapped", "empty"


@dataclass(frozen=True)
class FlowParameters:
    """The pipeline's parameters of the same names: X_DAY, METHOD (a counting method name), RSS_MAX, LAYER,
    RETAIN, SMOOTH, PIXEL_SIZE, FLOW (one of FLOWS), SECRET, ML_ESTIMATOR (``estimator``, one of ESTIMATORS),
    RADIO (``radio``: None, or the radio_table.RadioTable read from the radio table) and GROUPING (one of
    preprocess.GROUPINGS)."""

    x_day: float = DEFAULT_X_DAY
    method: str = MULTIPLICITY
    rss_max: float = -60.0
    layer: int = DEFAULT_LAYER
    retain: float = 0.9
    smooth: float = 10.0
    pixel_size: float = 1.0
    flow: str = BOTH
    secret: str = ""
    estimator: str = LISTMODE
    radio: object = None
    grouping: str = BURSTS

    def __post_init__(self):
        if self.flow not in FLOWS:
            raise InputError(f"FLOW '{self.flow}' is unknown; use one of {', '.join(FLOWS)}.")
        if self.estimator not in ESTIMATORS:
            raise InputError(f"ML_ESTIMATOR '{self.estimator}' is unknown; use one of {', '.join(ESTIMATORS)}.")


@dataclass
class WindowResult:
    """row: the window's TABLE row (TABLE_FIELDS; start and end in seconds since 1970 UTC; totals None when
    not mapped); paper, ml: the client maps (core.geotiff.Density) FLOW asked for, else None; zone_rows: per
    zone of ZONES, {'zone', 'clients_paper', 'clients_ml'} from the maps as their GeoTIFFs hold them; radio: the
    radio_table.RadioTable the ML map fitted here (what the pipeline writes as mldensity:RADIO_TABLE), None when
    it fitted none."""

    row: dict
    paper: object = None
    ml: object = None
    zone_rows: list = field(default_factory=list)
    radio: object = None


def empty_row(start, end, status=EMPTY):
    """The TABLE row of a window without a map: its bounds, P = 0 and no totals."""
    row = dict.fromkeys(TABLE_FIELDS)
    row.update(start=float(start), end=float(end), p=0, status=status)
    return row


def run_window(probes, aps, start, end, parameters=None, connections=None, zones=(),
               progress=SILENT):
    """The pipeline on the PRs of [start, end) (seconds) of ``probes`` (core.records.Probes; rows outside the
    window are ignored) heard by ``aps`` (core.records.AccessPoints in a metric CRS, with their indoor flags).

    connections: MACs of the connected clients or None; zones: [(name, shapely polygon in the APs' CRS)] to
    count clients in. Returns a WindowResult. A window the tools cannot map (e.g. too few localizations) gets
    a row with its counts, no totals, and the tool's message as its status.
    """
    parameters = parameters or FlowParameters()
    hits = (probes.time >= start) & (probes.time < end)
    if not np.any(hits):
        return WindowResult(empty_row(start, end))
    pre = preprocess(probes, start, end, connections, count_emissions=True, secret=parameters.secret,
                     grouping=parameters.grouping, progress=SubProgress(progress, 0.0, 0.05))
    counts = pre.counts
    row = empty_row(start, end, MAPPED)
    row.update(p=counts["P"], p1=counts["P1"], p2=counts["P2"], p3=counts["P3"], emissions=counts["EMISSIONS"])
    try:
        return _mapped(_as_table(pre.probes), counts, aps, parameters, row, zones, progress)
    except InputError as error:
        row["status"] = f"not mapped: {error}"
        return WindowResult(row)


def _as_table(probes):
    """The PRs as the next tool reads them back from a table: times through ISO text with microseconds."""
    return type(probes)(to_seconds(to_iso(probes.time)), probes.ap_id, probes.mac, probes.rss, probes.extra)


def _mapped(cr, counts, aps, parameters, row, zones, progress):
    split = split_probes(cr.ap_id, cr.rss, aps, parameters.rss_max)
    kept, removed = cr.take(~split.removed), cr.take(split.removed)
    radio = parameters.radio
    given = {} if radio is None else {"calibrate": False, "gains": radio.gains_for(aps), "a": radio.a}
    run = localize_probes(kept, aps, DEFAULT_N if radio is None else radio.n,
                          emission=np.asarray(kept.extra["emission"]).astype(str),
                          progress=SubProgress(progress, 0.05, 0.5), **given)
    region, _, _ = fiducial_region(good_points(run.located.xy, np.asarray(QUALITY_NAMES)[run.located.quality]),
                                   parameters.layer)
    fit = run.fit
    row.update(a=fit.a, n=fit.n, calibration=fit.status)
    hours = counts["WINDOW_HOURS"]
    paper = ml = fitted_radio = None
    if parameters.flow != ML:
        # the Localization tool writes a degenerate emission without a position, so the Counting tool never
        # reads it
        placed = run.located.xy[run.located.quality != DEGENERATE]
        paper, row["x"] = _paper_map(kept, removed, counts, aps, fit, region.polygon, placed, parameters)
        row["clients_paper"] = paper.mass()
    progress.step(0.6)
    if parameters.flow != PAPER:
        ml = _ml_map(cr, aps, window_x(parameters.x_day, hours), fit, parameters, SubProgress(progress, 0.6, 1.0))
        fitted = getattr(ml.estimate, "fit", None)
        row.update(clients_ml=ml.clients, a_ml=float(ml.density.tags["A"]), n_ml=float(ml.density.tags["N"]),
                   calibration_ml=NOT_CALIBRATED if fitted is None else fitted.status)
        if row["x"] is None:
            row["x"] = ml.x
        if fitted is not None:
            outdoor_aps = without_indoor_aps(cr.ap_id, aps)[1]
            fitted_radio = RadioTable.of_fit(fitted, outdoor_aps.ids, prs_heard(cr.ap_id, outdoor_aps))
        ml = ml.density
    return WindowResult(row, paper, ml, _zone_rows(zones, paper, ml), fitted_radio)


def _ml_map(cr, aps, x, fit, parameters, progress):
    """The mldensity tool's map (mldensity.MLMap) as the model runs it: its ESTIMATOR, A and N from the
    Localization tool, its RADIO."""
    radio = parameters.radio

    def grid_for(outdoor):
        return bowl_grid(outdoor.xy, parameters.pixel_size, DEFAULT_MARGIN, None, aps.crs)
    if parameters.estimator == COUNTS:
        a, n, sigma, gains = (fit.a, fit.n, DEFAULT_SIGMA_RSS, None) if radio is None else \
            (radio.a, radio.n, radio.sigma, radio.gains_for(aps, determined_only=False))
        return ml_client_map(cr.ap_id, cr.rss, cr.extra["emission"], aps, x, grid_for, a, n, sigma, gains=gains,
                             progress=progress)
    return listmode_client_map(cr.ap_id, cr.rss, cr.extra["emission"], aps, x, grid_for,
                               radio=None if radio is None else radio.radio_for, n=fit.n, progress=progress)


def _bowl_model(fit, radio, aps):
    """A, n, sigma and gains of the Bowl tool: the Localization tool's A and n, or the radio table's radio."""
    if radio is None:
        return fit.a, fit.n, DEFAULT_SIGMA_RSS, None
    return radio.a, radio.n, radio.sigma, radio.gains_for(aps)


def _paper_map(kept, removed, counts, aps, fit, region, points_xy, parameters):
    """The Reassembly tool's client map and the Counting tool's X (paper §4.2-4.4, §5.1, §1.6)."""
    grid = bowl_grid(aps.xy, parameters.pixel_size, DEFAULT_MARGIN, None, aps.crs)
    model = _bowl_model(fit, parameters.radio, aps)
    kept_bowl = stored(bowl(kept.ap_id, kept.rss, aps, grid, *model))
    removed_bowl = stored(bowl(removed.ap_id, removed.rss, aps, grid, *model))
    confined = stored(renormalize(kept_bowl, region_mask([region], kept_bowl.grid)).density)
    drilled = drill_down(confined, parameters.retain)
    capped, peaks = stored(drilled.capped), stored(drilled.peaks)
    by_k = {k: float(v) for k, v in counts["P_BY_K"].items()}
    site = count_site(float(counts["P"]), by_k, parameters.x_day, counts["WINDOW_HOURS"], parameters.method)
    zones = zones_from_polygons([region], None, peaks.grid)
    table = zone_table(site, zones, peaks, by_k[3], points_xy)
    zone_x = zone_x_from(zones.geometries, table.columns["x"])
    return smoothed(clients([capped, removed_bowl], site.chosen_x, peaks, zone_x), parameters.smooth), site.chosen_x


def _zone_rows(zones, paper, ml):
    if not zones:
        return []
    names, shapes = [str(name) for name, _ in zones], [shape for _, shape in zones]
    per_map = {key: ([row["clients"] for row in zone_summary(stored(density), shapes, names)]
                     if density is not None else [None] * len(names))
               for key, density in (("clients_paper", paper), ("clients_ml", ml))}
    return [{"zone": name, "clients_paper": per_map["clients_paper"][i], "clients_ml": per_map["clients_ml"][i]}
            for i, name in enumerate(names)]
