"""The radio table: a site's radio as one row per AP, the one way a radio travels between tools and runs
(beyond the paper).

A radio (model.py) is the log-distance model of paper §4.1 (A, n), its RSS noise sigma, and per AP the
sensor's gain g_i and its reception probability p_i. The maximum-likelihood map fits it from the probe
requests (radiocalibration.py); the table keeps it so that the Localization and Bowl tools, and later windows
or runs of the map, can use it instead of calibrating again. Fields, one row per AP:

    ap_id, gain_db, gain_stderr_db, determined, reception, prs,
    a, n, sigma_rss, a_stderr, n_stderr, status            (the same on every row)

``determined`` says whether the data fix that AP's gain (radiocalibration.RadioFit.gains_determined); ``prs``
is how many PRs the AP heard in the window the radio was fitted on; ``status`` is the calibration's (ok,
uncertain, implausible, not converged, too few) or GIVEN / NOT_CALIBRATED for a radio set by hand. A table
made by hand needs ap_id, gain_db, a, n and sigma_rss; the other fields default to: stderr unknown,
determined true, reception START_RECEPTION, status GIVEN.

Who uses what: the maximum-likelihood map uses the table's radio as it is (every gain); the Localization and
Bowl tools use A, n (and sigma) and the gains marked determined, the others taken as 0 dB. An AP of the AP
layer missing from the table gets gain 0 (and the table's mean reception); an AP id of the table missing from
the AP layer is an error: the table belongs to another site, or the ids were renamed.
"""
from dataclasses import dataclass, replace

import numpy as np

from ..core.errors import InputError
from ..paper.pathloss import check_model
from .model import Radio
from .radiofit import START_RECEPTION

FIELDS = ("ap_id", "gain_db", "gain_stderr_db", "determined", "reception", "prs", "a", "n", "sigma_rss",
          "a_stderr", "n_stderr", "status")
REQUIRED = ("ap_id", "gain_db", "a", "n", "sigma_rss")
GIVEN = "given"                    # a radio table made by hand, without a status
NOT_CALIBRATED = "not calibrated"  # a radio a tool was given (A, n, sigma as parameters): nothing fitted
_TRUE, _FALSE = ("1", "true", "yes", "y", "t"), ("0", "false", "no", "n", "f")


@dataclass(frozen=True)
class RadioTable:
    """The radio of a site. Per AP (tuples, one element per row): ap_ids (text), gains and gain_stderr (dB),
    determined, reception (0-1), prs; common: a (dBm at 1 m), n, sigma (dB), a_stderr, n_stderr, status.
    Plain tuples, so that it is hashable and serialisable (a season's fingerprint holds it)."""

    ap_ids: tuple
    gains: tuple
    gain_stderr: tuple
    determined: tuple
    reception: tuple
    prs: tuple
    a: float
    n: float
    sigma: float
    a_stderr: float = float("nan")
    n_stderr: float = float("nan")
    status: str = GIVEN

    @classmethod
    def of_fit(cls, fit, ap_ids, prs):
        """The table of a radiocalibration.RadioFit over the APs ``ap_ids`` (in the radio's order) that heard
        ``prs`` PRs each."""
        radio = fit.radio
        return cls._make(ap_ids, radio.gains, fit.stderr["gains"], fit.gains_determined(), radio.reception, prs,
                         radio.a, radio.n, radio.sigma, fit.stderr["a"], fit.stderr["n"], fit.status)

    @classmethod
    def of_radio(cls, radio, ap_ids, prs, status=NOT_CALIBRATED, determined=False):
        """The table of a radio.Radio used as given (no standard errors)."""
        nan = np.full(len(ap_ids), np.nan)
        return cls._make(ap_ids, radio.gains, nan, np.full(len(ap_ids), determined), radio.reception, prs,
                         radio.a, radio.n, radio.sigma, np.nan, np.nan, status)

    @classmethod
    def _make(cls, ap_ids, gains, gain_stderr, determined, reception, prs, a, n, sigma, a_stderr, n_stderr, status):
        def floats(values):
            return tuple(float(v) for v in np.broadcast_to(np.asarray(values, dtype=float), (len(ap_ids),)))
        return cls(tuple(str(i) for i in ap_ids), floats(gains), floats(gain_stderr),
                   tuple(bool(d) for d in np.broadcast_to(determined, (len(ap_ids),))), floats(reception),
                   floats(prs), float(a), float(n), float(sigma), float(a_stderr), float(n_stderr), str(status))

    def with_status(self, status):
        """The same radio under another status (e.g. that of the run that used it)."""
        return replace(self, status=str(status))

    def columns(self):
        """The table's columns (FIELDS -> numpy arrays, one element per AP)."""
        count = len(self.ap_ids)

        def common(value):
            return np.full(count, value, dtype=object if isinstance(value, str) else float)
        return {"ap_id": np.array(self.ap_ids, dtype=object), "gain_db": np.array(self.gains),
                "gain_stderr_db": np.array(self.gain_stderr), "determined": np.array(self.determined, dtype=bool),
                "reception": np.array(self.reception), "prs": np.array(self.prs), "a": common(self.a),
                "n": common(self.n), "sigma_rss": common(self.sigma), "a_stderr": common(self.a_stderr),
                "n_stderr": common(self.n_stderr), "status": common(self.status)}

    @classmethod
    def from_columns(cls, columns, name="RADIO"):
        """The table from its columns (field -> values, one per row, as read from any table: numbers may be
        text); ``name`` (the parameter) is named in errors. InputError naming the field and row of a missing,
        empty or non-numeric value."""
        missing = [f for f in REQUIRED if f not in columns]
        if missing:
            raise InputError(f"{name}: the radio table has no field {', '.join(repr(f) for f in missing)}; a radio "
                             f"table needs {', '.join(REQUIRED)} (the maximum-likelihood tool writes one: "
                             "RADIO_OUTPUT).")
        ids = [_ap_id(v) for v in columns["ap_id"]]
        if not ids:
            raise InputError(f"{name}: the radio table has no rows.")
        for row, ap_id in enumerate(ids):
            if not ap_id:
                raise InputError(f"{name}: row {row + 1} of the radio table has an empty 'ap_id'.")
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise InputError(f"{name}: the radio table lists AP {', '.join(repeated[:5])} more than once; one row "
                             "per AP.")
        count = len(ids)

        def numbers(field, default=None, required=False):
            if field not in columns:
                return np.full(count, np.nan if default is None else default, dtype=float)
            return _numbers(columns[field], field, name, required)
        a, n, sigma = (_common(numbers(f, required=True), f, name) for f in ("a", "n", "sigma_rss"))
        try:
            check_model(a, n, sigma)
        except InputError as error:
            raise InputError(f"{name}: in the radio table: {error}") from None
        reception = numbers("reception", START_RECEPTION)
        reception = np.where(np.isnan(reception), START_RECEPTION, reception)
        bad = np.flatnonzero(~((reception > 0) & (reception <= 1)))
        if len(bad):
            raise InputError(f"{name}: row {bad[0] + 1} of the radio table: 'reception' = {reception[bad[0]]:g}; a "
                             "reception probability lies in (0, 1].")
        status = {str(s).strip() for s in columns["status"]} if "status" in columns else {GIVEN}
        if len(status) > 1:
            raise InputError(f"{name}: the radio table's rows hold different statuses ({', '.join(sorted(status))}); "
                             "a radio table holds one radio.")
        determined = _flags(columns["determined"], name) if "determined" in columns else np.ones(count, dtype=bool)
        return cls._make(ids, numbers("gain_db", required=True), numbers("gain_stderr_db"), determined, reception,
                         numbers("prs"), a, n, sigma, _common(numbers("a_stderr"), "a_stderr", name),
                         _common(numbers("n_stderr"), "n_stderr", name), status.pop() or GIVEN)

    # ----- matching the table to an AP layer -----
    def check_known(self, aps):
        """InputError naming the table's AP ids that ``aps`` (records.AccessPoints) does not hold."""
        known = set(np.asarray(aps.ids).astype(str))
        unknown = [i for i in self.ap_ids if i not in known]
        if unknown:
            raise InputError(f"The radio table (RADIO) lists AP ids that are not in the AP layer: "
                             f"{', '.join(unknown[:5])}{' ...' if len(unknown) > 5 else ''}. Is it the table of "
                             "another site? Use the AP layer the radio was fitted with, or fix the ids.")

    def _rows(self, aps):
        """The table's row of each AP of ``aps``, -1 for those it does not list."""
        where = {ap_id: row for row, ap_id in enumerate(self.ap_ids)}
        return np.array([where.get(str(i), -1) for i in aps.ids], dtype=np.int64)

    def missing(self, aps):
        """AP ids of ``aps`` the table does not list (they get gain 0)."""
        return [str(i) for i, row in zip(aps.ids, self._rows(aps)) if row < 0]

    def gains_for(self, aps, determined_only=True):
        """Gain (dB) of each AP of ``aps`` (the whole AP layer: ``check_known`` first): the table's (only the
        determined ones with ``determined_only``), 0 for the others and for APs the table does not list."""
        self.check_known(aps)
        return self._gains(aps, determined_only)

    def _gains(self, aps, determined_only):
        rows = self._rows(aps)
        gains = np.asarray(self.gains)
        if determined_only:
            gains = np.where(self.determined, gains, 0.0)
        return np.where(rows >= 0, gains[np.maximum(rows, 0)], 0.0)

    def over(self, aps, prs):
        """This radio over ``aps`` (in their order) that heard ``prs`` PRs each: rows of other APs dropped; an
        AP it does not list has gain 0, not determined, and the mean reception."""
        rows = self._rows(aps)
        listed = rows >= 0

        def take(values, default):
            return np.where(listed, np.asarray(values, dtype=float)[np.maximum(rows, 0)], default)
        return self._make(aps.ids, take(self.gains, 0.0), take(self.gain_stderr, np.nan),
                          listed & np.asarray(self.determined)[np.maximum(rows, 0)],
                          take(self.reception, np.mean(self.reception)), prs, self.a, self.n, self.sigma,
                          self.a_stderr, self.n_stderr, self.status)

    def radio_for(self, aps, floor, width):
        """The radio.Radio over ``aps`` (e.g. the outdoor APs the map uses; rows of other APs are not used) with
        the receivers' ``floor`` and reporting bin ``width`` of the data it maps: every gain as the table gives
        it; an AP it does not list has gain 0 and the mean reception."""
        rows = self._rows(aps)
        reception = np.where(rows >= 0, np.asarray(self.reception)[np.maximum(rows, 0)], np.mean(self.reception))
        return Radio.make(self.a, self.n, self.sigma, len(aps), floor, width, self._gains(aps, False), reception)


def prs_heard(probe_ap_ids, aps):
    """The PRs each AP of ``aps`` heard, from the AP id of every PR: the table's ``prs``."""
    probe_ap_ids = np.asarray(probe_ap_ids).astype(str)
    return np.array([np.count_nonzero(probe_ap_ids == ap_id) for ap_id in np.asarray(aps.ids).astype(str)],
                    dtype=float)


def _ap_id(value):
    """An AP id as text; a whole number read as a float (1.0) is the id '1'."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def _numbers(values, field, name, required):
    """float64 of one field; empty cells are NaN, or an error when ``required``; text that is not a number is an
    error naming the row."""
    result = np.empty(len(values))
    for row, value in enumerate(values):
        empty = value is None or (isinstance(value, str) and not value.strip())
        try:
            result[row] = np.nan if empty else float(value)
        except (TypeError, ValueError):
            raise InputError(f"{name}: row {row + 1} of the radio table: '{field}' holds '{value}', which is not a "
                             "number.") from None
        if required and not np.isfinite(result[row]):
            raise InputError(f"{name}: row {row + 1} of the radio table: '{field}' is empty or not a finite number; "
                             "every row needs it.")
    return result


def _common(values, field, name):
    """The one value a field repeats on every row; InputError when the rows differ."""
    first = values[0]
    same = np.isnan(values) if np.isnan(first) else np.isclose(values, first, rtol=1e-9, atol=1e-12)
    if not np.all(same):
        row = int(np.flatnonzero(~same)[0])
        raise InputError(f"{name}: '{field}' is {first:g} on row 1 but {values[row]:g} on row {row + 1}; a radio "
                         "table holds one radio, the same on every row.")
    return float(first)


def _flags(values, name):
    """Booleans of the 'determined' field (true/false, yes/no, 1/0); InputError naming a row that is neither."""
    flags = np.empty(len(values), dtype=bool)
    for row, value in enumerate(values):
        text = str(value).strip().lower()
        if isinstance(value, (bool, np.bool_)):
            flags[row] = bool(value)
        elif text in _TRUE + ("1.0",):
            flags[row] = True
        elif text in _FALSE + ("0.0",):
            flags[row] = False
        else:
            raise InputError(f"{name}: row {row + 1} of the radio table: 'determined' holds '{value}'; give true or "
                             "false (1 or 0).")
    return flags
