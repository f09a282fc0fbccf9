"""Results worked out once per data set: a report asks for the same frames in many sections."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, Protocol, Self, TypeVar

from portfolio_reports.data.dataset import Dataset


class _Copyable(Protocol):
    """A result each call gets its own copy of: a DataFrame, a Series, a dict."""

    def copy(self) -> Self: ...


_P = ParamSpec("_P")
_Result = TypeVar("_Result", bound=_Copyable)
_Owner = TypeVar("_Owner", bound=Hashable)

_dataset: list[Dataset] = []
"""The data set the results below are for: the last one asked about (the reports a warm kernel
runs in one build read one: `dataset.load_dataset` reads a snapshot once per process)."""
_results: dict[Hashable, Any] = {}


def per_dataset(
    compute: Callable[Concatenate[Dataset, _P], _Result],
) -> Callable[Concatenate[Dataset, _P], _Result]:
    """Work `compute(ds, ...)` out once per data set and arguments; each call gets its own copy.

    A data set's tables are not changed after loading, so a result holds while that data set is
    the one asked about; asking about another forgets every result. Lists among the arguments
    count as tuples; other arguments must be hashable.
    """

    @wraps(compute)
    def remembered(ds: Dataset, /, *args: _P.args, **kwargs: _P.kwargs) -> _Result:
        if not (_dataset and _dataset[0] is ds):
            _dataset[:] = [ds]
            _results.clear()
        key = (
            compute,
            *map(_hashable, args),
            *((name, _hashable(value)) for name, value in sorted(kwargs.items())),
        )
        if key not in _results:
            _results[key] = compute(ds, *args, **kwargs)
        return _results[key].copy()

    return remembered


def per_dataset_method(
    compute: Callable[[_Owner, Dataset], _Result],
) -> Callable[[_Owner, Dataset], _Result]:
    """A method `compute(self, ds)` of a hashable object (a frozen dataclass), worked out once
    per data set and equal object as `per_dataset` works out a function."""
    remembered = per_dataset(lambda ds, owner: compute(owner, ds))

    @wraps(compute)
    def method(self: _Owner, ds: Dataset) -> _Result:
        return remembered(ds, self)

    return method


def _hashable(argument: Any) -> Hashable:
    """The argument as a dictionary key: a list as a tuple."""
    return tuple(argument) if isinstance(argument, list) else argument
