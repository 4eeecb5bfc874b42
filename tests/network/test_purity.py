"""connectwell.network is a pure library: stdlib, numpy and scipy only (DESIGN.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import connectwell.network

PACKAGE = Path(connectwell.network.__file__).parent
ALLOWED = {"numpy", "scipy", "connectwell"}


def test_it_imports_only_the_standard_library_numpy_and_scipy() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top in ALLOWED, (path.name, name)
                if top == "connectwell":
                    assert name.startswith("connectwell.network"), (path.name, name)


def test_importing_it_loads_no_networkx_nor_the_app() -> None:
    code = (
        "import sys, connectwell.network; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('networkx', 'sqlalchemy', 'fastapi', 'pydantic') "
        "or (m.startswith('connectwell.') and not m.startswith('connectwell.network'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
