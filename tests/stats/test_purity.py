"""connectwell.stats is a pure library: the standard library, numpy, scipy and statsmodels,
nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import connectwell.stats

ALLOWED_THIRD_PARTY = {"numpy", "scipy", "statsmodels"}


def test_stats_imports_only_the_standard_library_numpy_scipy_statsmodels_and_itself() -> None:
    package = Path(connectwell.stats.__file__).parent
    offenders = []
    for source in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                ok = (
                    name == "connectwell.stats"
                    or name.startswith("connectwell.stats.")
                    or top in ALLOWED_THIRD_PARTY
                    or top in sys.stdlib_module_names
                    or top in {"__future__", "_typeshed"}
                )
                if not ok:
                    offenders.append(f"{source.name}: {name}")
    assert offenders == []
