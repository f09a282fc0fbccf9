"""Runs inside a warm kernel: remember the clean state after imports, restore it per report."""

from __future__ import annotations

import copy
import os
import sys
import warnings
from importlib import import_module
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython

import_module("portfolio_reports.sections")  # the heavy imports every report needs, once

_clean: dict[str, Any] = {}


def remember_clean_state() -> None:
    """Record rcParams, the environment and sys.path as they are after the imports."""
    _clean["rc"] = copy.deepcopy(dict(matplotlib.rcParams))
    _clean["environ"] = dict(os.environ)
    _clean["path"] = list(sys.path)


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
    os.environ.clear()
    os.environ.update(_clean["environ"])
    sys.path[:] = _clean["path"]
    os.chdir(cwd)
