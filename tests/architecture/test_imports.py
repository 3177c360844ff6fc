"""The layout holds: no import circle among the project's modules, the domain pure (see
tests/domain/test_purity.py), and no adapter deciding a rule of the SOP: the Telegram and
WhatsApp adapters import no state, status or rule constant of the domain."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chatbot", "handlers", "whatsapp", "storage")
ADAPTERS = ("handlers", "whatsapp")
# what an adapter may take from the domain: value types it parses into and errors it catches
ALLOWED_IN_ADAPTERS = {
    "chatbot.domain.calendar": {"Period"},
    "chatbot.domain.people": {"Person"},
    "chatbot.domain.errors": {"AccessEnded", "DomainError", "InviteInvalid"},  # rendered
    "chatbot.domain.text": {"pieces"},
    "chatbot.domain": {"invites"},  # the shape of an invite code, to tell it from a word
}


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def runtime_imports(path: Path, known: set[str], typing_too: bool = False) -> dict[str, set[str]]:
    """Module -> names imported from it at the module's top level, ``if TYPE_CHECKING:``
    blocks with ``typing_too`` (imports inside functions are deferred on purpose: the
    optional channel and heavy libraries)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, set[str]] = {}
    for node in tree.body:
        checking = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        if checking and not typing_too:
            continue
        for sub in ast.walk(node) if isinstance(node, ast.If | ast.Try) else [node]:
            if isinstance(sub, ast.Import):
                for alias in sub.names:
                    if alias.name in known:
                        found.setdefault(alias.name, set())
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                names = {a.name for a in sub.names}
                for name in names:  # "from chatbot import texts" imports chatbot.texts
                    if f"{sub.module}.{name}" in known:
                        found.setdefault(f"{sub.module}.{name}", set())
                if sub.module in known:
                    found.setdefault(sub.module, set()).update(names)
    return found


def find_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                circles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return circles


def test_the_circle_finder_finds_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_circles(graph) == [["a", "b", "c", "a"]]
    assert find_circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    """Not even through imports for type checking only: texts read the services' views, the
    services queue notices through one module, and nothing leads back."""
    mods = modules()
    known = set(mods)
    graph = {
        name: set(runtime_imports(path, known, typing_too=True)) - {name}
        for name, path in mods.items()
    }
    for deps in graph.values():  # a package's __init__ is not a dependency of its modules
        deps -= {p for p in PACKAGES} | {"chatbot.domain", "chatbot.services", "chatbot.export"}
    assert len(graph) > 50 and graph["handlers.kirim.evidence"] >= {
        "chatbot.delivery",
        "chatbot.texts",
    }
    circles = find_circles(graph)
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_adapters_take_no_rule_from_the_domain() -> None:
    mods = modules()
    known = set(mods)
    wrong = []
    for name, path in mods.items():
        if not name.startswith(ADAPTERS):
            continue
        for module, names in runtime_imports(path, known).items():
            if not module.startswith("chatbot.domain"):
                continue
            extra = names - ALLOWED_IN_ADAPTERS.get(module, set())
            if extra:
                wrong.append(f"{name} imports {sorted(extra)} from {module}")
    assert wrong == []


def test_the_adapter_check_sees_a_rule(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from chatbot.domain.workflow import CardStatus, CardStep\n"
        "from chatbot.domain.roles import Permission\n"
    )
    known = {"chatbot.domain.workflow", "chatbot.domain.roles"}
    found = runtime_imports(bad, known)
    allowed = ALLOWED_IN_ADAPTERS.get("chatbot.domain.workflow", set())
    assert found["chatbot.domain.workflow"] - allowed == {"CardStatus", "CardStep"}
    assert "chatbot.domain.roles" in found
