"""From sensors to probe tables: read WiFi monitor-mode captures (pcap, pcapng, Kismet, airodump-ng logs),
hash MACs on entry, synchronise sensor clocks; and write captures of a simulated site for rehearsals."""
