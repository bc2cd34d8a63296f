"""A small column table the QGIS wrapper turns into a layer: typed fields, NULL as None."""
from dataclasses import dataclass

import numpy as np


@dataclass
class Table:
    """``fields``: [(name, kind)] in output order, kind one of 'date', 'int', 'float', 'text';
    ``columns``: {name: numpy array} ('date' columns are datetime64[D]; NULL cells are None)."""

    fields: list
    columns: dict

    def __len__(self):
        return len(self.columns[self.fields[0][0]]) if self.fields else 0

    def rows(self):
        """One tuple of plain Python values per row (datetime.date, int, float, str or None), in field order."""
        lists = [np.asarray(self.columns[name]).tolist() for name, _ in self.fields]
        return list(zip(*lists))
