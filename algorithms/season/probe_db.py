"""Probe tables in PostgreSQL (PostGIS or not): each window's rows are selected by the server (psycopg2).

The window filter is a parameterised WHERE on the time column in the column's own type (timestamp with or
without time zone, an epoch number, or ISO text cast by the server), so the server applies it (through an
index on the column when there is one) and only the window's rows travel; no row outside the window reaches
Python. Other columns, geometry included, are not read. Times without a zone are UTC (the session runs in
UTC). Each window is read by the process that computes it: a Dask worker reads its own window, in parallel
with the others, so the workers need to reach the database (the connection string travels with the task).
"""
import itertools
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from ..core.errors import InputError
from ..core.optional import require
from ..core.records import Probes
from ..core.timeparse import to_iso

ZONED, NAIVE, EPOCH, TEXT = "timestamp with time zone", "timestamp without time zone", "epoch", "text"
_NUMBERS = {"double precision", "real", "numeric", "integer", "bigint", "smallint"}
_TEXTS = {"text", "character varying", "character"}
FIELDS = {"time": "TIME_FIELD", "ap_id": "AP_FIELD", "mac": "MAC_FIELD", "rss": "RSS_FIELD"}


@dataclass(frozen=True)
class PostgresProbes:
    """A probe table in PostgreSQL: connection string (libpq), schema, table, the columns of time, AP id, MAC
    and RSS, and how the time column is stored (ZONED, NAIVE, EPOCH or TEXT; ``open`` finds out)."""

    dsn: str
    table: str
    schema: str = "public"
    time_field: str = "time"
    ap_field: str = "ap_id"
    mac_field: str = "mac"
    rss_field: str = "rss"
    time_kind: str = ZONED

    @classmethod
    def open(cls, dsn, table, schema="public", time_field="time", ap_field="ap_id", mac_field="mac",
             rss_field="rss"):
        """The table's PostgresProbes after checking that it has the four columns (InputError naming a missing
        one) and a time column of a usable type."""
        probe = cls(dsn, table, schema, time_field, ap_field, mac_field, rss_field)
        with closing(probe.connect()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT column_name, data_type FROM information_schema.columns "
                           "WHERE table_schema = %s AND table_name = %s", (schema, table))
            types = dict(cursor.fetchall())
        if not types:
            raise InputError(f"The database {probe.where()} has no table {schema}.{table}.")
        chosen = {"time": time_field, "ap_id": ap_field, "mac": mac_field, "rss": rss_field}
        for role, column in chosen.items():
            if column not in types:
                raise InputError(f"The table {schema}.{table} has no column '{column}' ({FIELDS[role]}). Its columns "
                                 f"are: {', '.join(sorted(types))}.")
        kind = types[time_field]
        if kind in _NUMBERS:
            kind = EPOCH
        elif kind in _TEXTS:
            kind = TEXT
        elif kind not in (ZONED, NAIVE):
            raise InputError(f"The time column '{time_field}' of {schema}.{table} is of type {kind}; it must be a "
                             "timestamp, a number of seconds since 1970, or ISO 8601 text.")
        return cls(dsn, table, schema, time_field, ap_field, mac_field, rss_field, kind)

    def connect(self):
        """A psycopg2 connection whose session runs in UTC."""
        psycopg2 = require("psycopg2")
        try:
            connection = psycopg2.connect(self.dsn)
        except psycopg2.OperationalError as error:
            raise InputError(f"Cannot connect to the database {self.where()}: {str(error).strip()}") from None
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        return connection

    def where(self):
        """host:port/dbname of the connection, for messages (never its password)."""
        parts = require("psycopg2.extensions").parse_dsn(self.dsn)
        return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"

    def _sql(self):
        sql = require("psycopg2.sql")
        column = sql.Identifier(self.time_field)
        instant = sql.SQL("{}::timestamptz").format(column) if self.time_kind == TEXT else column
        epoch = column if self.time_kind == EPOCH else sql.SQL("extract(epoch FROM {})").format(instant)
        return sql, sql.Identifier(self.schema, self.table), instant, epoch

    def _bound(self, seconds):
        if self.time_kind == EPOCH:
            return float(seconds)
        moment = datetime.fromtimestamp(round(float(seconds), 6), UTC)
        return moment.replace(tzinfo=None) if self.time_kind == NAIVE else moment

    def window_query(self, window):
        """(query, parameters) selecting the window's PRs, times as integer microseconds (or epoch seconds)."""
        sql, table, instant, epoch = self._sql()
        time = sql.SQL("{}::float8").format(epoch) if self.time_kind == EPOCH else \
            sql.SQL("round({} * 1000000)::int8").format(epoch)
        query = sql.SQL("SELECT {time}, {ap}::text, {mac}::text, {rss}::float8 FROM {table} "
                        "WHERE {instant} >= %s AND {instant} < %s ORDER BY {instant}").format(
            time=time, ap=sql.Identifier(self.ap_field), mac=sql.Identifier(self.mac_field),
            rss=sql.Identifier(self.rss_field), table=table, instant=instant)
        return query, (self._bound(window.start), self._bound(window.end))

    def counts(self, windows):
        """PRs per window of consecutive ``windows``, counted by the server in one pass over the season."""
        if not windows:
            return np.zeros(0, dtype=int)
        bounds = [w.start for w in windows] + [windows[-1].end]
        if any(a.end != b.start for a, b in itertools.pairwise(windows)):
            raise InputError("The windows of a season must follow each other without gaps.")
        sql, table, instant, epoch = self._sql()
        query = sql.SQL("SELECT width_bucket({epoch}::float8, %s::float8[]), count(*) FROM {table} "
                        "WHERE {instant} >= %s AND {instant} < %s GROUP BY 1").format(
            epoch=epoch, table=table, instant=instant)
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(query, (bounds, self._bound(bounds[0]), self._bound(bounds[-1])))
            found = cursor.fetchall()
        counts = np.zeros(len(windows), dtype=int)
        for bucket, count in found:
            counts[min(max(bucket, 1), len(windows)) - 1] += count
        return counts

    def time_range(self):
        """(first, last) PR time in seconds since 1970, found by the server, or None for an empty table."""
        sql, table, _, epoch = self._sql()
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT min({epoch})::float8, max({epoch})::float8 FROM {table}").format(
                epoch=epoch, table=table))
            first, last = cursor.fetchone()
        return None if first is None else (float(first), float(last))

    def rows(self, window):
        """The window's rows as its task reads them: from the database, in the process that computes it."""
        return DatabaseRows(self, window)

    def read(self, window):
        """The PRs of ``window`` as records.Probes (times in seconds since 1970 UTC)."""
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            cursor.execute(*self.window_query(window))
            found = cursor.fetchall()
        columns = list(zip(*found)) if found else [(), (), (), ()]
        chosen = (self.time_field, self.ap_field, self.mac_field, self.rss_field)
        for values, column, parameter in zip(columns, chosen, FIELDS.values()):
            if any(value is None for value in values):
                raise InputError(f"The table {self.schema}.{self.table} has PRs with an empty '{column}' ({parameter}) "
                                 f"in [{to_iso(window.start)}, {to_iso(window.end)}): fill or delete them.")
        time = np.asarray(columns[0], dtype=np.float64) if self.time_kind == EPOCH else \
            np.asarray(columns[0], dtype=np.int64) / 1e6
        return Probes(time, np.asarray(columns[1], dtype=object), np.asarray(columns[2], dtype=object),
                      np.asarray(columns[3], dtype=np.float64))


@dataclass(frozen=True)
class DatabaseRows:
    """A window of a PostgresProbes, read when its task runs."""

    source: PostgresProbes
    window: object

    def read(self):
        return self.source.read(self.window)
