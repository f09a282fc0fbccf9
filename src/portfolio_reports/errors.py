"""Errors raised by each stage of a build, all deriving from one base."""


class PortfolioReportsError(Exception):
    """Base of every error this package raises on purpose."""


class InputError(PortfolioReportsError):
    """A command-line value (quarter, folder, option) is not usable."""


class DataError(PortfolioReportsError):
    """The data source failed validation; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        head = f"{count} data problem{'s' if count != 1 else ''}"
        super().__init__(head + ":\n" + "\n".join(problems))


class ParamsError(PortfolioReportsError):
    """A params file is invalid or does not fit its notebook or the data."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ExecutionError(PortfolioReportsError):
    """A notebook failed while it ran."""


class RenderError(PortfolioReportsError):
    """An executed notebook could not be turned into HTML or published."""
