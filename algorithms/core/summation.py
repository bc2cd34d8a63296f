"""Products summed the same way in every process, so that a window gives the same bits in QGIS and on a worker.

Inside QGIS (the desktop and qgis_process) the executable links GSL's CBLAS, whose ``cblas_*`` functions take
the place of those of the BLAS numpy was built against: numpy's ``a @ b`` then adds up in another order than in
a plain Python process such as a Dask worker, and an iterative fit (the list-mode radio calibration) carries the
last-bit difference into its result. These use numpy's own summation, never BLAS.
"""
import numpy as np


def dot(a, b):
    """sum_i a_i b_i of two vectors, as a float."""
    return float(np.sum(np.multiply(a, b)))


def matmul(a, b):
    """The matrix product a b of two 2-D arrays (small ones: einsum's plain loops, without BLAS)."""
    return np.einsum("ij,jk->ik", a, b)
