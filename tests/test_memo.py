"""Results worked out once per data set: asked again, the same; changed by a caller, not kept."""

from dataclasses import dataclass

import pandas as pd

from portfolio_reports.analysis.memo import per_dataset, per_dataset_method
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.schema import TABLE_MODELS

calls: list[tuple] = []


def dataset(sales: list[float]) -> Dataset:
    """A data set whose only rows are the given sales."""
    tables = {name: pd.DataFrame() for name in TABLE_MODELS}
    return Dataset(**{**tables, "sales": pd.DataFrame({"revenue": sales})})


@per_dataset
def scaled_sales(ds: Dataset, factor: float, markets: list[str] | None = None) -> pd.DataFrame:
    """The sales times `factor`, recording each time it is worked out."""
    calls.append((factor, markets))
    return ds.sales * factor


def test_a_result_is_worked_out_once_per_data_set_and_arguments():
    calls.clear()
    first = dataset([1.0, 2.0])
    assert scaled_sales(first, 2)["revenue"].tolist() == [2.0, 4.0]
    assert scaled_sales(first, 2)["revenue"].tolist() == [2.0, 4.0]
    assert scaled_sales(first, 3)["revenue"].tolist() == [3.0, 6.0]
    assert calls == [(2, None), (3, None)]


def test_lists_and_keywords_are_arguments_like_any_other():
    calls.clear()
    first = dataset([1.0])
    scaled_sales(first, 2, ["JP"])
    scaled_sales(first, 2, ["JP"])
    scaled_sales(first, 2, markets=["JP"])
    scaled_sales(first, 2, markets=["JP"])
    scaled_sales(first, 2, ["US"])
    assert calls == [(2, ["JP"]), (2, ["JP"]), (2, ["US"])]


def test_each_call_gets_its_own_copy():
    first = dataset([1.0, 2.0])
    changed = scaled_sales(first, 2)
    changed.loc[0, "revenue"] = 100.0
    changed["extra"] = 1
    assert scaled_sales(first, 2).to_dict("list") == {"revenue": [2.0, 4.0]}


def test_another_data_set_is_worked_out_afresh_even_with_equal_tables():
    calls.clear()
    first, second = dataset([1.0]), dataset([5.0])
    assert scaled_sales(first, 2)["revenue"].tolist() == [2.0]
    assert scaled_sales(second, 2)["revenue"].tolist() == [10.0]
    twin = dataset([1.0])
    assert scaled_sales(twin, 2)["revenue"].tolist() == [2.0]
    assert scaled_sales(first, 2)["revenue"].tolist() == [2.0]
    assert len(calls) == 4, "one data set's results are kept at a time"


@dataclass(frozen=True)
class Slice:
    """A hashable owner of a remembered method, as a report's scope is."""

    factor: float

    @per_dataset_method
    def sales(self, ds: Dataset) -> pd.DataFrame:
        """The sales times the slice's factor, recording each time it is worked out."""
        calls.append(("slice", self.factor))
        return ds.sales * self.factor


def test_a_method_is_worked_out_once_per_data_set_and_equal_owner():
    calls.clear()
    first, second = dataset([1.0]), dataset([5.0])
    assert Slice(2).sales(first)["revenue"].tolist() == [2.0]
    assert Slice(2).sales(first)["revenue"].tolist() == [2.0], "an equal owner shares the result"
    assert Slice(3).sales(first)["revenue"].tolist() == [3.0]
    assert Slice(2).sales(second)["revenue"].tolist() == [10.0]
    assert calls == [("slice", 2), ("slice", 3), ("slice", 2)]
    changed = Slice(2).sales(second)
    changed.loc[0, "revenue"] = 100.0
    assert Slice(2).sales(second)["revenue"].tolist() == [10.0], "each call gets its own copy"
