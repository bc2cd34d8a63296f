"""From sensors to probe tables: read WiFi monitor-mode captures (pcap, pcapng, Kismet, airodump-ng logs),
hash MACs on entry, synchronise sensor clocks; and write captures of a simulated site for rehearsals.

Entry points: ``import_captures`` (-> ImportResult) and ``write_site_captures``.
"""
from .importer import ImportResult, SensorOffsets, import_captures
from .rehearsal import capture_macs, write_site_captures

__all__ = ["ImportResult", "SensorOffsets", "capture_macs", "import_captures", "write_site_captures"]
