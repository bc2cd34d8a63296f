"""The science of the WiFi client density toolkit: numpy/scipy/shapely/rasterio/pyproj, no QGIS.

Every formula of Yang, Ahriz & Denby, Sensors 2023, 23(13), 6142 ("the paper") lives here once. The folders
follow the data's way through the product, and a folder imports only the folders before it (never back, so
no import loop): ``core``, the plumbing every tool shares (errors, progress, records, grids and GeoTIFFs,
masks, CRS, times, checks, hashing, BLAS-free sums, smoothing); ``captures``, sensors' captures into probe
tables; ``counting``, a window's PRs into emissions, MAC classes and counts of clients; ``paper``, the
paper's map-making tools and the path-loss model; ``twin``, the site twin (simulated sites with known clients,
and the score of a map against them); ``radio``, the site's radio fitted from the data and the
maximum-likelihood map; ``season``, one window end to end and a season of many. ``presence``, the visitor
analytics of devices with a stable identifier, stands on ``core`` alone.

=====================================  ===============================================  ========================
tool (``wifidensity:<id>``)            module(s)                                        paper
=====================================  ===============================================  ========================
importcaptures                         captures                                         beyond the paper
1. preprocess                          counting: preprocess, emissions, bursts (beyond  §3.2, §3.4
                                       the paper)
5. count                               counting: counting, zone_counts, zones           §4.4 (Eq. 9), §6.1.3
2. filter                              paper: filtering                                 §4.5, §5.1.1
3. bowl                                paper: bowl, radial                              §4.2, Figure 3
4. renormalize                         paper: renormalize                               §4.3, §5.1.3
6. localize                            paper: localization, apollonius, position_fit,   §4.6, Figure 6
                                       calibration, regularize (beyond the paper),
                                       localize_report
7. fiducial                            paper: fiducial, convex_layers                   §5.1.2
8. drilldown                           paper: drilldown                                 §5.1.4
9. reassemble                          paper: reassemble                                §1.6, Figure 19
the path-loss model (all of them)      paper: pathloss                                  §4.1
mldensity                              radio: mldensity; listmode, listmode_density,    beyond the paper
                                       model, radiofit, radiocalibration, sitecheck
                                       (the self-calibrating list-mode estimator)
the radio table (mldensity, localize,  radio: radio_table                               beyond the paper
bowl, pipeline)
simulate, score (the site twin)        twin: simulate, devices (realistic phones),      beyond the paper
                                       crowd_areas, scoring
pipeline (one window, QGIS-free)       season: flow                                     Figure 19
season                                 season: runner, task, season_radio, dask_runner, beyond the paper
                                       probe_db
presence                               presence                                         beyond the paper
=====================================  ===============================================  ========================
"""
