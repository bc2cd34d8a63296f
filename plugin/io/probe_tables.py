"""Probe request tables: the time, AP, MAC and RSS fields chosen by the field parameters, checked row by row."""
from ...algorithms.core.errors import InputError
from ...algorithms.core.progress import SILENT
from ...algorithms.core.records import Probes
from ...algorithms.core.timeparse import to_seconds
from ...algorithms.core.validation import check_rss
from ..parameters import AP_FIELD, INPUT, MAC_FIELD, RSS_FIELD, TIME_FIELD, field_name
from .columns import check_fields, missing_rows, numeric_column, read_columns, require_source, text_column


def rss_column(values, field):
    """RSS in dBm as float64: numeric_column's row-level messages, then the science's check (finite, not positive)."""
    return check_rss(numeric_column(values, field, RSS_FIELD), field)


def _chosen_fields(alg, parameters, context, source, names):
    """{field parameter: field name} for ``names``, checked against the table."""
    chosen = {name: field_name(alg, parameters, name, context) for name in names}
    check_fields(source, chosen)
    return chosen


def read_probes(alg, parameters, context, progress=SILENT, input_name=INPUT, extra_fields=()):
    """The probe table of ``input_name`` as Probes, its fields chosen by TIME_FIELD, AP_FIELD, MAC_FIELD, RSS_FIELD.

    ``extra_fields`` (field names) are read into Probes.extra when they exist in the table.
    Raises InputError for missing fields, empty cells, unreadable times, non-numeric or positive RSS.
    """
    source = require_source(alg, parameters, input_name, context)
    chosen = _chosen_fields(alg, parameters, context, source, (TIME_FIELD, AP_FIELD, MAC_FIELD, RSS_FIELD))
    present_extra = [f for f in extra_fields if f in source.fields().names()]
    columns = read_columns(alg, parameters, input_name, context,
                           list(dict.fromkeys([*chosen.values(), *present_extra])), progress)
    time_field = chosen[TIME_FIELD]
    missing = missing_rows(columns[time_field])
    if len(missing):
        raise InputError(f"Row {missing[0] + 1}: the time field '{time_field}' (TIME_FIELD) is empty.")
    return Probes(
        time=to_seconds(columns[time_field], time_field),
        ap_id=text_column(columns[chosen[AP_FIELD]], chosen[AP_FIELD], AP_FIELD),
        mac=text_column(columns[chosen[MAC_FIELD]], chosen[MAC_FIELD], MAC_FIELD),
        rss=rss_column(columns[chosen[RSS_FIELD]], chosen[RSS_FIELD]),
        extra={f: columns[f] for f in present_extra},
    )


def read_ap_and_rss(alg, parameters, context, progress=SILENT, input_name=INPUT, extra_fields=()):
    """(AP ids as text, RSS as float64, {extra field: raw values}) of AP_FIELD, RSS_FIELD and those of
    ``extra_fields`` the table has, in one pass over the table, for tools that need no time or MAC."""
    source = require_source(alg, parameters, input_name, context)
    chosen = _chosen_fields(alg, parameters, context, source, (AP_FIELD, RSS_FIELD))
    present = [f for f in extra_fields if f in source.fields().names()]
    columns = read_columns(alg, parameters, input_name, context,
                           list(dict.fromkeys([*chosen.values(), *present])), progress)
    return (text_column(columns[chosen[AP_FIELD]], chosen[AP_FIELD], AP_FIELD),
            rss_column(columns[chosen[RSS_FIELD]], chosen[RSS_FIELD]), {f: columns[f] for f in present})
