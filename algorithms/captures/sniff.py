"""Which capture format a file holds, told by its first bytes (never by its name)."""
from ..core.errors import InputError
from .pcapfiles import PCAP_MAGICS, PCAPNG_MAGIC

PCAP, PCAPNG, KISMET, AIRODUMP_LOG = "pcap", "pcapng", "kismet", "airodump log"
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
AIRODUMP_LOG_HEADER = "LocalTime, GPSTime, ESSID, BSSID, Power"
AIRODUMP_SUMMARY_HEADERS = ("BSSID, First time seen", "Station MAC, First time seen")


def capture_format(head, name):
    """PCAP, PCAPNG, KISMET or AIRODUMP_LOG for a file whose first bytes are ``head``; InputError otherwise."""
    if not head:
        raise InputError(f"{name}: the file is empty.")
    if head[:4] in PCAP_MAGICS:
        return PCAP
    if head[:4] == PCAPNG_MAGIC:
        return PCAPNG
    if head.startswith(SQLITE_MAGIC):
        return KISMET
    if head.startswith(GZIP_MAGIC):
        raise InputError(f"{name}: the file is gzip-compressed; decompress it first (gunzip) and import the "
                         "capture inside.")
    first_line = head.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf\r\n ").split("\n", 1)[0]
    if first_line.startswith(AIRODUMP_LOG_HEADER):
        return AIRODUMP_LOG
    if first_line.startswith(AIRODUMP_SUMMARY_HEADERS):
        raise InputError(
            f"{name}: this is airodump-ng's summary CSV, one row per station with its first and last time seen; "
            "it cannot give one row per probe request. Import airodump-ng's per-frame log instead "
            "(--output-format logcsv, the *.log.csv file), or better a radiotap capture (pcap).")
    raise InputError(f"{name}: not a capture this tool reads. Its first bytes match none of pcap, pcapng, a Kismet "
                     "log (.kismet) or an airodump-ng log CSV (*.log.csv); the file may be damaged or empty.")
