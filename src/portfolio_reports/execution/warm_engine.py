"""A papermill engine that runs notebooks on a worker's warm kernel (see `kernels`)."""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from portfolio_reports.execution.kernels import START_TIMEOUT_S, WarmKernel

WARM_ENGINE = "portfolio-reports-warm"


class _WarmClient(PapermillNotebookClient):
    """papermill's client, on a kernel and client that outlive one notebook."""

    def __init__(self, nb_man: Any, kernel: WarmKernel, **kwargs: Any) -> None:
        super().__init__(nb_man, km=kernel.manager, **kwargs)
        self.kc = kernel.client


class WarmKernelEngine(NBClientEngine):
    """A papermill engine that runs the notebook on a given WarmKernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = START_TIMEOUT_S,
        execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Execute the notebook's cells on kwargs["kernel"], leaving the kernel running.

        The notebook is not saved after every cell (papermill's default, most of its overhead);
        when execution stops short (dead kernel, timeout), papermill's closing save writes the
        partial notebook to kwargs["partial_output"].
        """
        kernel = kwargs.pop("kernel")
        partial_output = kwargs.pop("partial_output")
        kwargs.pop("input_path", None)
        client = _WarmClient(
            nb_man,
            kernel,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        try:
            return client.execute()
        except BaseException:
            nb_man.output_path = partial_output
            raise


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)
