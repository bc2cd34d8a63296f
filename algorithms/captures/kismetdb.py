"""Kismet's log database (.kismet, SQLite): its ``packets`` table holds every frame with its link type
(``dlt``), capture time (``ts_sec``, ``ts_usec``) and the UUID of the datasource that heard it, whose
``datasources`` row names the sensor."""
import sqlite3
from pathlib import Path

import numpy as np

from ..core.errors import InputError
from .packets import Packets


def read_kismet(path, name):
    """Packets of a Kismet log, one sensor per datasource name."""
    try:
        connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise InputError(f"{name}: the SQLite database cannot be opened ({error}).") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "packets" not in tables:
            raise InputError(f"{name}: a SQLite database without a 'packets' table, so not a Kismet log.")
        names = dict(connection.execute("SELECT uuid, name FROM datasources")) if "datasources" in tables else {}
        rows = connection.execute("SELECT ts_sec, ts_usec, datasource, dlt, packet FROM packets").fetchall()
    except sqlite3.Error as error:
        raise InputError(f"{name}: the Kismet log cannot be read ({error}); it may be damaged or still open in "
                         "Kismet (copy it once Kismet has stopped).") from None
    finally:
        connection.close()
    if not rows:
        raise InputError(f"{name}: the Kismet log holds no packets. Log them (kis_log_packets=true in "
                         "kismet_logging.conf) and keep them (kis_log_packet_timeout=0).")
    return _packets(rows, names, name)


def _packets(rows, names, name):
    seconds, micro, source, dlt, blobs = zip(*rows)
    blobs = [b if isinstance(b, bytes) else b"" for b in blobs]
    length = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    start = np.concatenate([[0], np.cumsum(length)[:-1]]).astype(np.int64)
    buffer = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    time_ns = (np.asarray(seconds, dtype=np.int64) * 1_000_000_000 + np.asarray(micro, dtype=np.int64) * 1000)
    uuids, sensor = np.unique(np.asarray(source, dtype=str), return_inverse=True)
    labels = [str(names.get(u) or u) for u in uuids]
    sensors = sorted(set(labels))
    sensor = np.array([sensors.index(label) for label in labels], dtype=np.int64)[sensor.reshape(-1)]
    notes = [f"{name}: datasources {', '.join(sorted(u for u, lab in zip(uuids, labels) if lab == label))} share "
             f"the name '{label}' and are taken as one sensor; name them apart in Kismet to keep them apart."
             for label in sensors if labels.count(label) > 1]
    return Packets(buffer, start, length, time_ns, np.asarray(dlt, dtype=np.int64), sensor, sensors, notes)
