"""Execution layer: run report jobs on warm Jupyter kernels, locally or on a cluster."""
