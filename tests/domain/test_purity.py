"""The domain stays pure: standard library and chatbot.domain only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import chatbot.domain

DOMAIN = Path(chatbot.domain.__file__).parent
FORBIDDEN = {"telegram", "sqlmodel", "sqlalchemy", "openpyxl", "pywa", "holidays", "babel"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_stdlib_and_itself() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            assert top in sys.stdlib_module_names or name.startswith("chatbot.domain"), (
                f"{path.name} imports {name}, which is neither stdlib nor chatbot.domain"
            )


def test_the_check_catches_a_framework_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from telegram import Bot\nimport sqlalchemy.orm\n")
    assert {"telegram", "sqlalchemy.orm"} <= _imports(bad)
