"""Test-only writers of the capture formats the product reads but does not write: Kismet logs and airodump-ng
logs; plus the mixed-format captures of a simulated site."""
import sqlite3

import numpy as np

from wifidensity.algorithms.captures.writer import payloads, write_pcap, write_pcapng

KISMET_TABLES = [  # Kismet's log schema (kis_database_logfile.cc): the tables and columns a real log has
    "CREATE TABLE KISMET (kismet_version TEXT, db_version INT, db_module TEXT)",
    "CREATE TABLE devices (first_time INT, last_time INT, devkey TEXT, phyname TEXT, devmac TEXT, "
    "strongest_signal INT, min_lat REAL, min_lon REAL, max_lat REAL, max_lon REAL, avg_lat REAL, avg_lon REAL, "
    "bytes_data INT, type TEXT, device BLOB, UNIQUE(phyname, devmac) ON CONFLICT REPLACE)",
    "CREATE TABLE packets (ts_sec INT, ts_usec INT, phyname TEXT, sourcemac TEXT, destmac TEXT, transmac TEXT, "
    "frequency REAL, devkey TEXT, lat REAL, lon REAL, alt REAL, speed REAL, heading REAL, packet_len INT, "
    "signal INT, datasource TEXT, dlt INT, packet BLOB, error INT, tags TEXT, datarate REAL, hash INT, "
    "packetid INT, packet_full_len INT)",
    "CREATE TABLE data (ts_sec INT, ts_usec INT, phyname TEXT, devmac TEXT, lat REAL, lon REAL, alt REAL, "
    "speed REAL, heading REAL, datasource TEXT, type TEXT, json BLOB)",
    "CREATE TABLE datasources (uuid TEXT, typestring TEXT, definition TEXT, name TEXT, interface TEXT, json BLOB, "
    "UNIQUE(uuid) ON CONFLICT REPLACE)",
    "CREATE TABLE alerts (ts_sec INT, ts_usec INT, phyname TEXT, devmac TEXT, lat REAL, lon REAL, header TEXT, "
    "json BLOB)",
    "CREATE TABLE messages (ts_sec INT, lat REAL, lon REAL, msgtype TEXT, message TEXT)",
    "CREATE TABLE snapshots (ts_sec INT, ts_usec INT, lat REAL, lon REAL, snaptype TEXT, json BLOB)",
]
BLUETOOTH_DLT = 256  # a Kismet log also holds the frames of other radios


def write_kismet(path, sensors, other_radio_rows=0):
    """A Kismet log whose datasources are the keys of ``sensors`` {name: writer.Frames}; packets in time order,
    plus ``other_radio_rows`` Bluetooth rows that an importer of WiFi probe requests must skip."""
    connection = sqlite3.connect(path)
    for statement in KISMET_TABLES:
        connection.execute(statement)
    connection.execute("INSERT INTO KISMET VALUES ('2023.07.R1', 8, 'kismetlog')")
    rows = []
    for number, (name, frames) in enumerate(sensors.items()):
        uuid = f"5fe308bd-0000-0000-0000-{number + 1:012d}"
        connection.execute("INSERT INTO datasources VALUES (?, 'linuxwifi', ?, ?, ?, '{}')",
                           (uuid, f"wlan{number}:name={name}", name, f"wlan{number}mon"))
        blobs = [None] * len(frames)
        for members, matrix in payloads(frames):
            for row, payload in zip(members, matrix):
                blobs[row] = payload.tobytes()
        micro = np.round(frames.time * 1e6).astype(np.int64)
        for stamp, blob, rss, freq in zip(micro, blobs, frames.rss, frames.freq_mhz):
            rows.append((int(stamp // 1_000_000), int(stamp % 1_000_000), "IEEE802.11", "00:00:00:00:00:00",
                         "00:00:00:00:00:00", "00:00:00:00:00:00", float(freq) * 1000, "0", 0, 0, 0, 0, 0,
                         len(blob), int(max(rss, -128)), uuid, 127, blob, 0, ""))
    for k in range(other_radio_rows):
        rows.append((1717236000 + k, 0, "Bluetooth", "", "", "", 2402000.0, "0", 0, 0, 0, 0, 0, 8, -60,
                     "5fe308bd-0000-0000-0000-000000000001", BLUETOOTH_DLT, bytes(8), 0, ""))
    rows.sort(key=lambda r: (r[0], r[1]))
    connection.executemany("INSERT INTO packets (ts_sec, ts_usec, phyname, sourcemac, destmac, transmac, frequency, "
                           "devkey, lat, lon, alt, speed, heading, packet_len, signal, datasource, dlt, packet, "
                           "error, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    connection.close()


def write_airodump_log(path, times, macs, powers, ap_rows=0):
    """An airodump-ng log CSV: one Client row per (time text, MAC text, power), ``ap_rows`` AP rows first (one
    with a comma in its ESSID, as airodump-ng writes it unescaped)."""
    lines = ["LocalTime, GPSTime, ESSID, BSSID, Power, Security, Latitude, Longitude, Latitude Error, "
             "Longitude Error, Type"]
    for k in range(ap_rows):
        lines.append(f"2024-06-01 10:00:0{k % 10},1970-01-01 00:00:00,Cafe, free WiFi,02:B5:00:00:00:0{k % 10},"
                     "-40, WPA2 ,0.000000,0.000000,0.000,0.000,AP")
    for stamp, mac, power in zip(times, macs, powers):
        lines.append(f"{stamp},1970-01-01 00:00:00,,{mac.upper()},{power},,0.000000,0.000000,0.000,0.000,Client")
    with open(path, "w", newline="") as handle:
        handle.write("\r\n".join(lines) + "\r\n")


def write_mixed_site(folder, frames):
    """The captures of a simulated site ({AP id: Frames}, 8 APs) in every format the import reads: pcap in
    microseconds (little-endian) and nanoseconds (big-endian), pcap with FCS-at-end frames, pcapng with
    nanosecond resolution and two present words, pcapng with 2^-20 s resolution (big-endian) and two
    interfaces, pcapng with FCS-at-end frames, and a Kismet log holding the last two APs. Returns the paths."""
    ids = list(frames)
    paths = []
    writers = [
        lambda p, f: write_pcap(p, f),
        lambda p, f: write_pcap(p, f, nanoseconds=True, byte_order=">"),
        lambda p, f: write_pcap(p, f, fcs=True),
        lambda p, f: write_pcapng(p, f, tsresol=9, two_words=True, interfaces=2),
        lambda p, f: write_pcapng(p, f, tsresol=0x80 | 20, byte_order=">", interfaces=2),
        lambda p, f: write_pcapng(p, f, fcs=True, two_words=True, interfaces=2),
    ]
    extensions = [".pcap", ".pcap", ".cap", ".pcapng", ".pcapng", ".ng"]
    for ap, write, extension in zip(ids, writers, extensions):
        path = folder / f"{ap}{extension}"
        write(path, frames[ap])
        paths.append(path)
    kismet = folder / "site.kismet"
    write_kismet(kismet, {ap: frames[ap] for ap in ids[len(writers):]}, other_radio_rows=5)
    return paths + [kismet]
