"""Quarterly portfolio reports built from parameterized Jupyter notebooks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("portfolio-reports")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
