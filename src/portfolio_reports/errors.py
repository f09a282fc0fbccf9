"""Errors raised by each stage of a build, all deriving from one base; and a stop by signal."""

import signal


class PortfolioReportsError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidInputError(PortfolioReportsError):
    """Input a build cannot start from; `problems` holds one line per problem."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class InputError(InvalidInputError):
    """A command-line value (quarter, folder, option) is not usable."""


class DataError(InvalidInputError):
    """The data source failed validation."""


class ParamsError(InvalidInputError):
    """A params file is invalid or does not fit its notebook or the data."""


class RenderError(PortfolioReportsError):
    """An executed notebook could not be turned into HTML or published."""


class WriteError(PortfolioReportsError):
    """A report, manifest or index page could not be written (disk full, I/O error)."""


class Stopped(KeyboardInterrupt):
    """A signal (SIGTERM, SIGHUP) asked the command to stop; handled as Ctrl-C is."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)
