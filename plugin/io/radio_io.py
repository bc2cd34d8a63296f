"""Radio tables in and out of Processing (science in algorithms/radio/radio_table.py): read the RADIO parameter, say in
the log what a tool takes from it, write one as a point layer at the APs."""
import numpy as np

from ...algorithms.radio.radio_table import FIELDS, GIVEN, NOT_CALIBRATED, RadioTable
from ...algorithms.radio.radiocalibration import OK
from .. import qgis_enums
from ..display.styles import style_on_load
from ..parameters import RADIO, is_given
from .columns import read_columns, require_source
from .table_output import write_table

TRUSTED = (OK, GIVEN, NOT_CALIBRATED)  # statuses whose A and n are meant to be used as they are


def read_radio_table(alg, parameters, context, name=RADIO):
    """The RadioTable of parameter ``name``, or None when it is not given."""
    if not is_given(parameters, name):
        return None
    source = require_source(alg, parameters, name, context)
    present = [field for field in FIELDS if field in source.fields().names()]
    return RadioTable.from_columns(read_columns(alg, parameters, name, context, present), name)


def report_radio_table(table, aps, heard_ap_ids, feedback, uses):
    """Say in the log what the tool takes from ``table`` (``uses``, e.g. 'A, n and the determined gains') and warn
    about what it cannot: APs of ``aps`` that heard PRs (``heard_ap_ids``) but have no row (gain 0), and a
    calibration whose A and n its data did not determine. Raises InputError for AP ids ``aps`` does not hold."""
    table.check_known(aps)
    heard = set(np.asarray(heard_ap_ids).astype(str))
    missing = [ap_id for ap_id in table.missing(aps) if ap_id in heard]
    if missing:
        feedback.pushWarning(f"The radio table has no row for {len(missing)} AP(s) that heard PRs here "
                             f"({', '.join(missing[:5])}): their gain is taken as 0 dB.")
    if table.status not in TRUSTED:
        feedback.pushWarning(f"The radio table's calibration is '{table.status}': its A and n are those its map "
                             "used, not values its data determined. Check them (the maximum-likelihood tool's "
                             "SELF_CHECK) before relying on them.")
    determined = sum(1 for d, g in zip(table.determined, table.gains) if d and g != 0)
    feedback.pushInfo(f"Radio table ({table.status}): A = {table.a:.2f} dBm, n = {table.n:.3g}, sigma = "
                      f"{table.sigma:.2f} dB, {len(table.ap_ids)} APs ({determined} with a determined gain). "
                      f"This tool takes {uses} from it; nothing is calibrated.")


def write_radio_table(alg, parameters, context, name, table, aps, crs, progress):
    """Write ``table`` to output ``name`` as points at its APs (``aps``: records.AccessPoints in ``crs``, a
    QgsCoordinateReferenceSystem); returns the output's id, or None when it was not asked for."""
    rows = aps.index_of(np.array(table.ap_ids, dtype=object))
    xy = np.where((rows >= 0)[:, None], aps.xy[np.maximum(rows, 0)], np.nan)
    written = write_table(alg, parameters, context, name, table.columns(), progress, xy, qgis_enums.POINT, crs)
    style_on_load(context, written, "radio")  # each AP labelled with its gain ('?' where not determined)
    return written
