"""The science of the WiFi client density toolkit: numpy/scipy/shapely/rasterio/pyproj, no QGIS.

Every formula of Yang, Ahriz & Denby, Sensors 2023, 23(13), 6142 ("the paper") lives here once; the plumbing
every tool shares (errors, progress, records, grids and GeoTIFFs, masks, CRS, times, checks, hashing, BLAS-free sums,
smoothing) is in ``core``. The tools and where they live:

=====================================  ===============================================  ========================
tool (``wifidensity:<id>``)            module(s)                                        paper
=====================================  ===============================================  ========================
1. preprocess                          preprocess, emissions                            §3.2, §3.4
2. filter                              filtering                                        §4.5, §5.1.1
3. bowl                                bowl, radial                                     §4.2, Figure 3
4. renormalize                         renormalize                                      §4.3, §5.1.3
5. count                               counting, zone_counts, zones                     §4.4 (Eq. 9), §6.1.3
6. localize                            localization, apollonius, position_fit,          §4.6, Figure 6
                                       calibration, regularize (beyond the paper),
                                       localize_report
7. fiducial                            fiducial, convex_layers                          §5.1.2
8. drilldown                           drilldown                                        §5.1.4
9. reassemble                          reassemble                                       §1.6, Figure 19
the path-loss model (all of them)      pathloss                                         §4.1
mldensity                              mldensity; listmode, listmode_density, radio,    beyond the paper
                                       radiofit, radiocalibration, sitecheck (the
                                       self-calibrating list-mode estimator)
the radio table (mldensity, localize,  radio_table                                      beyond the paper
bowl, pipeline)
simulate, score (the site twin)        simulate, crowd_areas, scoring                   beyond the paper
importcaptures                         captures                                         beyond the paper
presence                               presence                                         beyond the paper
pipeline (one window, QGIS-free)       flow                                             Figure 19
season                                 season, season_radio, dask_runner, probe_db      beyond the paper
=====================================  ===============================================  ========================
"""
