"""The science of the WiFi client density toolkit: pure numpy/scipy, no QGIS.

Every formula of Yang, Ahriz & Denby, Sensors 2023, 23, 6142 ("the paper") lives here once.
"""
