"""Print the package's module map (each module with its docstring's first line) for the README.

python -m portfolio_reports.tools.architecture
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
NAME_WIDTH = 20


def summary(path: Path) -> str:
    """The first line of a module's docstring, or "" when it has none."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return docstring.partition("\n")[0]


def module_map(package: Path = PACKAGE) -> str:
    """The package tree, one line per module and subpackage, as the README shows it."""
    lines = [f"src/{package.name}/"]
    lines += _folder_lines(package, depth=1)
    return "\n".join(lines)


def _folder_lines(folder: Path, depth: int) -> list[str]:
    """Modules of one folder, then each subpackage with its own modules, indented."""
    indent = "  " * depth
    lines = []
    for module in sorted(folder.glob("*.py")):
        if module.name != "__init__.py":
            name = f"{indent}{module.name}"
            lines.append(f"{name:<{NAME_WIDTH + len(indent)}}{summary(module)}".rstrip())
    for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file()):
        name = f"{indent}{sub.name}/"
        lines.append(f"{name:<{NAME_WIDTH + len(indent)}}{summary(sub / '__init__.py')}".rstrip())
        lines += _folder_lines(sub, depth + 1)
    return lines


if __name__ == "__main__":
    print(module_map())
