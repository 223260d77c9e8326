"""The emulated eXtreme Scale session grid: configuration, catalog, containers, client, admin.

Public entry points: ``GridClient``/``GridOp`` (client), ``load_grids`` (the two XML files),
``grid_in_process``/``run_grid`` (a whole grid in one process, for tests), ``GridError``.
"""

from splicer.grid.client import GridClient, GridOp
from splicer.grid.config import load_grids
from splicer.grid.errors import GridConfigError, GridError
from splicer.grid.inprocess import grid_in_process, run_grid

__all__ = ["GridClient", "GridConfigError", "GridError", "GridOp", "grid_in_process",
           "load_grids", "run_grid"]
