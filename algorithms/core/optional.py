"""Import the optional scientific libraries where they are used, with a message saying what to install."""
import importlib

from .errors import InputError

_INSTALL = {
    "rasterio": "python3-rasterio (Debian/Ubuntu) or 'pip install rasterio' in QGIS's Python "
                "(OSGeo4W Shell on Windows)",
    "scipy": "python3-scipy (Debian/Ubuntu) or 'pip install scipy' in QGIS's Python",
    "shapely": "python3-shapely (Debian/Ubuntu) or 'pip install shapely' in QGIS's Python",
    "pyproj": "python3-pyproj (Debian/Ubuntu) or 'pip install pyproj' in QGIS's Python",
    "dask": "python3-dask python3-distributed (Debian/Ubuntu) or 'pip install dask distributed' in QGIS's Python",
    "distributed": "python3-dask python3-distributed (Debian/Ubuntu) or 'pip install dask distributed' in QGIS's "
                   "Python",
    "psycopg2": "python3-psycopg2 (Debian/Ubuntu) or 'pip install psycopg2-binary' in QGIS's Python",
}


def require(module):
    """Import ``module`` (e.g. 'scipy.ndimage') or raise InputError saying which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise InputError(f"This tool needs the Python package '{top}', which QGIS cannot import. "
                         f"Install {_INSTALL.get(top, top)} and restart QGIS.") from None
