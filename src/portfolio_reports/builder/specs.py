"""Read params/*.yaml into ReportSpecs and check them against notebooks and data."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, cast

import nbformat
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.builder.kinds import SCOPE_PARAMETERS, group_of, group_rank, unset_scope
from portfolio_reports.config import MATERIALITY_SETTINGS, Materiality
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.limits import (
    PARAMS_LIMIT_ENV,
    PARAMS_VALUES,
    TEXT_PARAMETER_CHARS,
    TITLE_CHARS,
    max_params_bytes,
    oversize_problem,
)
from portfolio_reports.errors import ParamsError
from portfolio_reports.paths import COMMENTARY_DIR, confinement_problem
from portfolio_reports.presentation.commentary import read_commentary
from portfolio_reports.text import quoted

PARAMETERS_TAG = "parameters"
"""The tag of a notebook's cell of parameters and their defaults, as papermill reads it."""
BUILD_PARAMETERS = ("quarter", "data")
"""Parameters every report notebook declares and the build sets itself."""
COMMENTARY_PARAMETER = "commentary"
"""The notebook parameter the build sets to a report's commentary file, when it has one."""
PROJECT_PARAMETERS = MATERIALITY_SETTINGS
"""Parameters of the project's settings the build (and `run`) sets in a notebook that declares
them; a notebook without them keeps the defaults."""
REPORT_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
"""A report name, matched whole: it names <name>.html in the quarter's folder."""
RESERVED_NAMES = frozenset({"glossary", "index", "manifest", "notebooks", "snapshots"})
"""Names of files and folders a build writes beside the reports."""
ParameterValue = str | int | float | bool | None
_MERGE_TAG = "tag:yaml.org,2002:merge"


class ParamsFile(BaseModel):
    """The shape of one params file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    notebook: str = Field(max_length=200, description="notebook in notebooks/, e.g. market.ipynb")
    title: str = Field(min_length=1, max_length=TITLE_CHARS, description="report title")
    group: str | None = Field(
        default=None, max_length=TITLE_CHARS, description="index section; default from notebook"
    )
    name: str | None = Field(default=None, max_length=64, description="file name; default: stem")
    parameters: dict[str, ParameterValue] = Field(default_factory=dict, max_length=50)


@dataclass(frozen=True)
class ReportSpec:
    """One report to build: which notebook, with which parameters."""

    name: str
    title: str
    group: str
    notebook: Path
    parameters: dict[str, ParameterValue]
    scope: Scope
    source: Path


def commentary_file(spec: ReportSpec, quarter: str) -> Path | None:
    """The report's commentary for the quarter (commentary/<quarter>/<name>.md beside params/),
    or None when there is none; `commentary_problems` says whether it may be read."""
    path = spec.source.parent.parent / COMMENTARY_DIR / quarter / f"{spec.name}.md"
    return path if path.is_symlink() or path.exists() else None


def commentary_problems(specs: list[ReportSpec], quarter: str) -> list[str]:
    """One line per commentary file of the quarter that leaves the commentary folder, is not a
    regular file, or is too large, not UTF-8 or holds control characters."""
    problems = []
    for spec in specs:
        path = commentary_file(spec, quarter)
        if path is None:
            continue
        folder = spec.source.parent.parent / COMMENTARY_DIR
        problem = confinement_problem(str(path), path, folder, "the commentary folder")
        if problem is None:
            try:
                read_commentary(path)
            except ParamsError as error:
                problem = str(error)
        if problem:
            problems.append(problem)
    return problems


def load_specs(params_dir: Path, notebooks_dir: Path, dataset: Dataset) -> list[ReportSpec]:
    """Read and check every params file; raise ParamsError listing every problem found."""
    if not params_dir.is_dir():
        raise ParamsError([f"{params_dir}: params folder does not exist"])
    if not notebooks_dir.is_dir():
        raise ParamsError([f"{notebooks_dir}: notebooks folder does not exist"])
    paths = [
        path
        for path in sorted(params_dir.glob("*.yaml")) + sorted(params_dir.glob("*.yml"))
        if not path.name.startswith(".")  # macOS ._* metadata, editors' hidden files
    ]
    if not paths:
        raise ParamsError([f"{params_dir}: no params files (*.yaml)"])
    specs: list[ReportSpec] = []
    problems: list[str] = []
    for path in paths:
        spec, spec_problems = _read_spec(path, notebooks_dir, dataset)
        problems += spec_problems
        if spec is not None:
            specs.append(spec)
    problems += _duplicate_name_problems(specs)
    if problems:
        raise ParamsError(problems)
    return sorted(specs, key=lambda spec: (group_rank(spec.group), spec.name))


def load_spec(path: Path, notebooks_dir: Path, dataset: Dataset) -> ReportSpec:
    """Read and check one params file; raise ParamsError listing every problem found."""
    spec, problems = _read_spec(path, notebooks_dir, dataset)
    if spec is None or problems:
        raise ParamsError(problems)
    return spec


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """Parameters declared in a notebook's `parameters` cell, with their default values."""
    stat = notebook.stat()
    return dict(_declared_parameters(notebook, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=64)
def _declared_parameters(notebook: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """declared_parameters, read once per version of the notebook file: each name the cell tagged
    PARAMETERS_TAG assigns, with its value where that is a literal (None where it is not).

    Read as papermill reads it, without importing papermill: the build process never runs a
    notebook itself (papermill's import is about a second of its CPU)."""
    cells = nbformat.read(notebook, as_version=4).cells
    cell = next((cell for cell in cells if PARAMETERS_TAG in cell.metadata.get("tags", ())), None)
    if cell is None:
        return {}
    try:
        statements = ast.parse(cell.source).body
    except SyntaxError as error:
        where = f"{notebook}: the {PARAMETERS_TAG} cell, line {error.lineno}"
        raise ParamsError([f"{where}: not Python ({error.msg})"]) from None
    declared: dict[str, Any] = {}
    for statement in statements:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                declared[target.id] = _literal(value)
    return declared


def scope_of(parameters: dict[str, ParameterValue], declared: dict[str, Any]) -> Scope:
    """The slice a notebook covers: given parameters over the notebook's defaults."""
    values = {key: parameters.get(key, declared.get(key)) for key in SCOPE_PARAMETERS}
    return Scope(**cast(dict[str, str | None], values))  # values are checked by Scope.check


def check_parameters(
    label: str,
    notebook: Path,
    declared: dict[str, Any],
    parameters: dict[str, Any],
    dataset: Dataset | None,
    *,
    build: bool = True,
) -> list[str]:
    """Problems with parameters for a notebook: undeclared, wrong type, unknown in the data.

    With `build` (a params file), the notebook must declare the build's parameters and values
    must be of their defaults' kinds; without it (`run`, as papermill), any value goes, and only
    the project's parameters the notebook declares are set by the project. Without a dataset,
    scope values are not checked.
    """
    problems = [
        f"{label}: the notebook {notebook.name} does not declare parameter {name!r}"
        f" in a cell tagged 'parameters'"
        for name in BUILD_PARAMETERS
        if build and name not in declared
    ]
    set_by_build = {*BUILD_PARAMETERS, *PROJECT_PARAMETERS, COMMENTARY_PARAMETER}
    set_by_project = (
        set_by_build if build else {*BUILD_PARAMETERS, *PROJECT_PARAMETERS} & set(declared)
    )
    for name, value in parameters.items():
        if name in set_by_project:
            where = (
                "the build, not a params file"
                if build
                else f"the project; use --{name.replace('_', '-')}"
            )
            problems.append(f"{label}: parameter {name!r} is set by {where}")
        elif name not in declared:
            allowed = ", ".join(sorted(set(declared) - set_by_build))
            problems.append(
                f"{label}: parameter {name!r} is not declared by {notebook.name};"
                f" declared: {allowed}"
            )
        elif (build or name in SCOPE_PARAMETERS) and not _same_kind(value, declared[name], name):
            expected = "text" if name in SCOPE_PARAMETERS else type(declared[name]).__name__
            hint = _YAML_BOOL_HINT.format(name=name) if isinstance(value, bool) else ""
            problems.append(
                f"{label}: parameter {name!r} has {type(value).__name__} value {value!r};"
                f" expected {expected}{hint}"
            )
        elif isinstance(value, str) and len(value) > TEXT_PARAMETER_CHARS:
            problems.append(
                f"{label}: parameter {name!r} is {len(value)} characters long;"
                f" at most {TEXT_PARAMETER_CHARS} are allowed"
            )
    if problems or dataset is None:
        return problems
    scope = scope_of(parameters, declared)
    scoped = [name for name in SCOPE_PARAMETERS if name in declared]
    if scoped and all(getattr(scope, name) is None for name in scoped):
        return [f"{label}: {unset_scope(notebook.name, scoped, dataset)}"]
    return [f"{label}: {problem}" for problem in scope.check(dataset)]


def materiality_parameters(rule: Materiality, declared: dict[str, Any]) -> dict[str, float]:
    """The materiality settings as the parameters a notebook declares of them."""
    values = dict(zip(MATERIALITY_SETTINGS, astuple(rule), strict=True))
    return {name: value for name, value in values.items() if name in declared}


def resolve_notebook(name: str, notebooks_dir: Path) -> Path | None:
    """The notebook file a params file names, if it exists inside notebooks_dir."""
    candidate = (notebooks_dir / (name if name.endswith(".ipynb") else f"{name}.ipynb")).resolve()
    inside = candidate.is_relative_to(notebooks_dir.resolve())
    return candidate if inside and candidate.is_file() else None


def _read_spec(
    path: Path, notebooks_dir: Path, dataset: Dataset
) -> tuple[ReportSpec | None, list[str]]:
    label = f"params/{path.name}" if path.parent.name == "params" else str(path)
    unreadable = _unreadable_problem(label, path)
    if unreadable:
        return None, [unreadable]
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return None, [f"{label}{where}: invalid YAML: {reason}"]
    except UnicodeDecodeError:
        return None, [f"{label}: not UTF-8 text"]
    except OSError as error:
        return None, [f"{label}: cannot read: {error.strerror}"]
    if not isinstance(document, dict):
        if document is None:
            kind = "empty"
        elif isinstance(document, list):
            kind = "a list"
        else:
            kind = f"the single value {quoted(document)}"
        return None, [
            f"{label}: is {kind}; expected a mapping with keys notebook, title, parameters"
        ]
    try:
        parsed = ParamsFile.model_validate(document)
    except ValidationError as error:
        return None, list(dict.fromkeys(_pydantic_problem(label, item) for item in error.errors()))
    notebook = resolve_notebook(parsed.notebook, notebooks_dir)
    if notebook is None:
        available = ", ".join(sorted(p.name for p in notebooks_dir.glob("*.ipynb")))
        return None, [f"{label}: unknown notebook {parsed.notebook!r}; available: {available}"]
    declared = declared_parameters(notebook)
    problems = check_parameters(label, notebook, declared, parsed.parameters, dataset)
    name = parsed.name or path.stem
    if not REPORT_NAME_PATTERN.fullmatch(name):
        problems.append(
            f"{label}: report name {name!r} must be 1 to 64 lower-case letters, digits, '-' or '_',"
            f" starting with a letter or digit (it names a file in the quarter's folder)"
        )
    elif name in RESERVED_NAMES:
        problems.append(
            f"{label}: report name {name!r} is reserved for a file the build writes;"
            f" reserved: {', '.join(sorted(RESERVED_NAMES))} (set key 'name' to another name)"
        )
    spec = ReportSpec(
        name=name,
        title=parsed.title,
        group=parsed.group or group_of(notebook.stem),
        notebook=notebook,
        parameters=parsed.parameters,
        scope=scope_of(parsed.parameters, declared),
        source=path,
    )
    return (spec if not problems else None), problems


def _unreadable_problem(label: str, path: Path) -> str | None:
    """Why a params file is not read: a link out of its folder, not a regular file, too large."""
    return confinement_problem(label, path, path.parent, "the params folder") or oversize_problem(
        label, path, max_params_bytes(), PARAMS_LIMIT_ENV
    )


def _pydantic_problem(label: str, item: Any) -> str:
    key = ".".join(str(part) for part in item["loc"]) or "(top level)"
    if item["type"] == "extra_forbidden":
        allowed = ", ".join(ParamsFile.model_fields)
        return f"{label}: unknown key {key!r}; allowed keys: {allowed}"
    if item["type"] == "missing":
        required = ", ".join(name for name, f in ParamsFile.model_fields.items() if f.is_required())
        return f"{label}: missing key {key!r}; required keys: {required}"
    if item["loc"][0] == "parameters" and len(item["loc"]) > 1:
        value = item["input"]
        return (
            f"{label}: parameter {item['loc'][1]!r} has {type(value).__name__} value"
            f" {quoted(value)};"
            f" allowed: text, a number, true, false or null"
        )
    return f"{label}: key {key!r}: {item['msg']}"


def _duplicate_name_problems(specs: list[ReportSpec]) -> list[str]:
    seen: dict[str, Path] = {}
    problems = []
    for spec in specs:
        if spec.name in seen:
            problems.append(
                f"params/{spec.source.name}: report name {spec.name!r} is also produced by"
                f" params/{seen[spec.name].name}; report names must be unique"
            )
        seen.setdefault(spec.name, spec.source)
    return problems


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.safe_load's loader (plain data, no Python objects), refusing repeated keys and
    aliases that expand past PARAMS_VALUES values (a few nested ones expand without end)."""

    def get_single_node(self) -> yaml.Node | None:
        """The document's node, refused when its aliases expand it past PARAMS_VALUES values."""
        node = super().get_single_node()
        if node is not None and _expanded_size(node, {}) > PARAMS_VALUES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"aliases (*name) expand the file past {PARAMS_VALUES:,} values;"
                " write the values out",
                node.start_mark,
            )
        return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values a node holds once every alias in it is written out (more than
    PARAMS_VALUES for an alias inside the node it names), each shared node counted once."""
    key = id(node)
    if key not in sizes:
        sizes[key] = PARAMS_VALUES + 1  # seen again before it is counted: an alias to itself
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        total = 1
        for child in children:
            total += _expanded_size(child, sizes)
            if total > PARAMS_VALUES:
                break
        sizes[key] = total
    return sizes[key]


def _unique_keys_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: list[Any] = []  # a list: YAML keys need not be hashable
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # `<<: *anchor` may be overridden by the keys beside it
            continue
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.append(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys_mapping
)


_YAML_BOOL_HINT = (
    "; YAML reads unquoted yes, no, on, off, y and n as true or false: quote the value,"
    ' e.g. {name}: "NO"'
)


def _literal(expression: ast.expr) -> Any:
    try:
        return ast.literal_eval(expression)
    except (ValueError, SyntaxError):
        return None


def _same_kind(value: ParameterValue, default: Any, name: str) -> bool:
    if value is None:
        return True
    if name in SCOPE_PARAMETERS:
        return isinstance(value, str)
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))
