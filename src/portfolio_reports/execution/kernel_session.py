"""Runs inside a warm kernel: remember the clean state after imports, restore it per report."""

from __future__ import annotations

import copy
import gc
import logging
import os
import random
import sys
import warnings
from importlib import import_module
from typing import Any, cast

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython import get_ipython

import_module("portfolio_reports.notebook.report")  # the heavy imports every report needs, once

_clean: dict[str, Any] = {}
PANDAS_OPTIONS = {"mode.string_storage": "python"}
"""pandas settings of a report in a warm kernel: text in Python storage, since every filter of
a small Arrow-backed column calls into Arrow for longer than the filter takes (a fifth of the
cells' CPU on the sample). The values, and so the pages, are the same in either storage."""


def remember_clean_state() -> None:
    """Record settings, random states and logging as they are after the imports.

    The objects the imports made live as long as the kernel: frozen out of the garbage
    collector's reach, so that the collections of each report (and `%reset`'s two full ones)
    no longer walk them (about 150 ms a report).
    """
    _set_pandas_options()
    _clean["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    _clean["environ"] = dict(os.environ)
    _clean["path"] = list(sys.path)
    _clean["warnings"] = list(warnings.filters)
    _clean["random"] = random.getstate()
    _clean["numpy_random"] = np.random.get_state()
    _clean["logging"] = _logging_state()
    gc.collect()  # garbage is freed first, not kept for good
    gc.freeze()


def restore_clean_state(cwd: str) -> None:
    """Forget every variable, figure, option and setting a previous report left behind."""
    shell = get_ipython()
    shell.run_line_magic("reset", "-f")
    shell.execution_count = 1
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_clean["rc"])
        pd.reset_option("all")
    _set_pandas_options()
    warnings.resetwarnings()  # also invalidates the modules' registries of warnings shown
    cast(list[Any], warnings.filters)[:] = _clean["warnings"]
    random.setstate(_clean["random"])
    np.random.set_state(_clean["numpy_random"])
    _restore_logging(_clean["logging"])
    os.environ.clear()
    os.environ.update(_clean["environ"])
    sys.path[:] = _clean["path"]
    os.chdir(cwd)


def _set_pandas_options() -> None:
    """Apply PANDAS_OPTIONS."""
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)


def _logging_state() -> dict[str, Any]:
    """Each logger's level, handlers, propagation and disabled flag, the root's included."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return {
        "disable": logging.root.manager.disable,
        "loggers": {
            logger.name: (logger.level, list(logger.handlers), logger.propagate, logger.disabled)
            for logger in loggers
            if isinstance(logger, logging.Logger)
        },
    }


def _restore_logging(state: dict[str, Any]) -> None:
    """Put loggers back as `_logging_state` found them; loggers made since are reset."""
    logging.disable(state["disable"])
    known = state["loggers"]
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if not isinstance(logger, logging.Logger):
            continue
        level, handlers, propagate, disabled = known.get(
            logger.name, (logging.NOTSET, [], True, False)
        )
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = disabled
