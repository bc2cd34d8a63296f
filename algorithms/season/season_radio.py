"""One radio for a whole season (beyond the paper): the self-calibrating maximum-likelihood map fits its radio
on the season's busiest window, and every window is then mapped with that radio, as the pipeline is when
given a radio table (RADIO).

The radio (A, n, sigma, per-sensor gains and reception, radio/model.py) belongs to the site and its sensors, not to
a window: fitting it again in every window costs most of a window's work (the joint fit of radio/listmode_density.py)
and gives the quiet windows, whose few emissions cannot pin it, a poorer radio than the busy ones. The
window with the most PRs gives the best-determined fit. The radio is kept in the output folder's records, so
that a rerun into the same folder, and a season extended later, map with the same radio.
"""
import json
from dataclasses import asdict, dataclass, replace

import numpy as np

from ..radio.radio_table import RadioTable
from .flow import LISTMODE, ML, PAPER, run_window

RECORD = "radio.json"


@dataclass
class SeasonRadio:
    """table: the radio_table.RadioTable every window is mapped with; start, end: the window it was fitted on
    (seconds, UTC); prs: the rows of the probe table in that window; reused: read from an earlier run into the
    same folder."""

    table: RadioTable
    start: float
    end: float
    prs: int
    reused: bool = False


def needs_fitting(parameters):
    """Whether the windows would fit a radio each: the list-mode maximum-likelihood map without a radio table."""
    return parameters.radio is None and parameters.flow != PAPER and parameters.estimator == LISTMODE


def fit_season_radio(source, aps, windows, counts, parameters, connections=None, progress=None):
    """The SeasonRadio fitted on the window of ``windows`` with the most PRs (``counts``), or None when that
    window gives no fitted radio (the tools cannot map it). source: season.SortedProbes or
    probe_db.PostgresProbes; the rest as flow.run_window takes them."""
    which = int(np.argmax(counts))
    busiest = windows[which]
    result = run_window(source.rows(busiest).read(), aps, busiest.start, busiest.end, replace(parameters, flow=ML),
                        connections, progress=progress)
    if result.radio is None:
        return None
    return SeasonRadio(result.radio, busiest.start, busiest.end, int(counts[which]))


def stored_radio(records, inputs):
    """The SeasonRadio recorded in folder ``records`` by a run with the same ``inputs`` (a fingerprint), or None."""
    path = records / RECORD
    if not path.exists():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("inputs") != inputs:
        return None
    table = {key: tuple(value) if isinstance(value, list) else value for key, value in record["table"].items()}
    return SeasonRadio(RadioTable(**table), record["start"], record["end"], record["prs"], reused=True)


def radio_record(radio, inputs):
    """The bytes of the record ``stored_radio`` reads back."""
    return json.dumps({"inputs": inputs, "table": asdict(radio.table), "start": radio.start, "end": radio.end,
                       "prs": radio.prs}).encode("utf-8")
