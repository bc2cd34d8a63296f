"""The map-making tools of Yang, Ahriz & Denby, Sensors 2023, 23(13), 6142 and their helpers: Filtering,
Localization (Circles of Apollonius, A and n calibration), Fiducial region, Bowl, Renormalization, Drill-Down
and Reassembly, with the log-distance path-loss model (§4.1) they all share."""
