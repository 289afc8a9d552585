"""Imported by the fork server of a process pool before it forks any worker: the engine is loaded
once there (imports and compiled code from numba's cache), and every worker forked from the server
starts with it loaded. See :func:`azalai.experiment.executors.process.start_method`.

The server imports this module with ``ImportError`` ignored: an import failure surfaces in the
workers, which import the same modules and report the error to the driver.
"""

from __future__ import annotations

from azalai.experiment.executors.base import Runner  # noqa: F401 - loaded here for the workers
from azalai.model.warmup import warmup

warmup(verbose=False)
