"""Papermill engines of report jobs, on a warm kernel (see `kernels`) or a fresh one, output capped.

Each stops a report whose output passes its caps while the output streams in.
"""

from __future__ import annotations

import logging
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellExecutionComplete, DeadKernelError
from nbformat import NotebookNode
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from portfolio_reports.execution.kernels import KERNEL_PROCESS_STDERR, START_TIMEOUT_S, WarmKernel
from portfolio_reports.execution.limits import OutputCaps, OutputLimitExceeded

WARM_ENGINE = "portfolio-reports-warm"
FRESH_ENGINE = "portfolio-reports-fresh"
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "update_display_data", "error"}
"""Kernel messages that carry a cell's output, counted against the caps."""
CLIENT_LOG = logging.getLogger(__name__)
"""The notebook client's log: its lines ("Timeout waiting for execute reply") repeat what the
build says of the report in one line, so none reaches the build's output."""
CLIENT_LOG.addHandler(logging.NullHandler())
CLIENT_LOG.propagate = False


class _CappedClient(PapermillNotebookClient):
    """papermill's client, counting each output message as it arrives against the caps.

    A message that passes a cap is not kept: the cell stops waiting at once, the kernel (maybe
    still printing) is killed by whoever owns it, and OutputLimitExceeded is raised.
    """

    def __init__(self, nb_man: Any, caps: OutputCaps, **kwargs: Any) -> None:
        super().__init__(nb_man, **kwargs)
        self.caps = caps
        self.sent = {"cell": 0, "report": 0}
        self.passed: OutputLimitExceeded | None = None

    async def async_execute_cell(
        self,
        cell: NotebookNode,
        cell_index: int,
        execution_count: int | None = None,
        store_history: bool = True,
    ) -> NotebookNode:
        """Execute one cell; OutputLimitExceeded when its output passed a cap."""
        self.sent["cell"] = 0
        try:
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history
            )
        except DeadKernelError:  # the waiting was cancelled: by the cap, or a dead kernel
            if self.passed is None:
                raise
            self.shutdown_kernel = "immediate"  # a kernel of its own: killed, mid-cell as it is
            raise self.passed from None

    execute_cell = run_sync(async_execute_cell)

    def process_message(
        self, msg: dict[str, Any], cell: NotebookNode, cell_index: int
    ) -> NotebookNode | None:
        """Count an output message against the caps, then keep it as nbclient does."""
        if msg["msg_type"] in OUTPUT_MESSAGES:
            size = _characters(msg["content"])
            self.sent["cell"] += size
            self.sent["report"] += size
            self.passed = self.caps.passed(self.sent["cell"], self.sent["report"])
            if self.passed is not None:
                if self.task_poll_for_reply is not None:
                    self.task_poll_for_reply.cancel()
                raise CellExecutionComplete()  # stop reading this cell's output
        return super().process_message(msg, cell, cell_index)


def _characters(value: Any) -> int:
    """Characters of text in a message's content: its text, tracebacks and encoded data."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(item) for item in value.values())
    if isinstance(value, list):
        return sum(_characters(item) for item in value)
    return 0


class _WarmClient(_CappedClient):
    """The capped client, on a kernel and client that outlive one notebook."""

    def __init__(self, nb_man: Any, caps: OutputCaps, kernel: WarmKernel, **kwargs: Any) -> None:
        super().__init__(nb_man, caps, km=kernel.manager, **kwargs)
        self.kc = kernel.client


class CappedEngine(NBClientEngine):
    """A papermill engine that runs the notebook on a fresh kernel, its output capped."""

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
        """Execute the notebook's cells with kwargs["output_caps"] applied."""
        caps = kwargs.pop("output_caps")
        kwargs.pop("input_path", None)
        return cls.execute_client(
            nb_man,
            caps,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=CLIENT_LOG,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )

    @classmethod
    def execute_client(cls, nb_man: Any, caps: OutputCaps, **kwargs: Any) -> Any:
        """Run the notebook on a client of its own kernel."""
        return _CappedClient(nb_man, caps, **kwargs).execute(stderr=KERNEL_PROCESS_STDERR)


class WarmKernelEngine(CappedEngine):
    """A papermill engine that runs the notebook on a given WarmKernel, its output capped."""

    @classmethod
    def execute_client(cls, nb_man: Any, caps: OutputCaps, **kwargs: Any) -> Any:
        """Execute the notebook's cells on kwargs["kernel"], leaving the kernel running.

        The notebook is not saved after every cell (papermill's default, most of its overhead);
        when execution stops short (dead kernel, timeout, output cap), papermill's closing save
        writes the partial notebook to kwargs["partial_output"].
        """
        kernel = kwargs.pop("kernel")
        partial_output = kwargs.pop("partial_output")
        client = _WarmClient(nb_man, caps, kernel, **kwargs)
        try:
            return client.execute()
        except BaseException:
            nb_man.output_path = partial_output
            raise


papermill_engines.register(WARM_ENGINE, WarmKernelEngine)
papermill_engines.register(FRESH_ENGINE, CappedEngine)
