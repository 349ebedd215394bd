"""The allocation engine is pure: importing all of it loads no Django module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import budgets.allocation

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_allocation_module_in_a_fresh_interpreter_loads_no_django() -> None:
    modules = sorted(m.name for m in pkgutil.iter_modules(budgets.allocation.__path__))
    assert {
        "engine",
        "pabulib",
        "profile",
        "result",
        "tiebreak",
        "greedy",
        "phragmen",
        "welfare",
        "cli",
    } <= set(modules)
    code = (
        "import importlib, sys\n"
        "import budgets.allocation\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('budgets.allocation.' + name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(len(loaded))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"


def test_the_package_itself_imports_nothing_heavy() -> None:
    code = (
        "import sys, budgets.allocation\n"
        "print(sorted(m for m in ('numpy', 'scipy', 'django') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
