"""Reading the UNIST campus capture (../shared/data/external/unist-campus-wifi-gps): its CSV rows and its
whole-second UTC timestamps."""
import csv
from datetime import UTC, datetime


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seconds(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
