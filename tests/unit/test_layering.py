"""The layout holds: the pure core imports only the standard library and itself, imports point
inward (entry points -> registry, screening -> domain, ledger, documents, matching; the store
only under the use cases), and nothing imports a module that no longer exists.

Each rule is checked over the source tree, and once more over a tree with a violation
planted in it, which it must report: a rule that cannot fail guards nothing.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "muster"
PURE = {
    "domain": ("muster.domain", "muster.errors"),
    "ledger/merkle.py": ("muster.ledger.merkle",),
    "documents/mrz.py": ("muster.documents", "muster.errors"),
    "documents/findings.py": ("muster.documents", "muster.errors"),
    **{
        f"matching/{name}.py": ("muster.matching", "muster.domain", "muster.errors")
        for name in (
            "normalize",
            "words",
            "near",
            "evidence",
            "frequencies",
            "keys",
            "scoring",
            "verdict",
            "records",
        )
    },
}
FORBIDDEN_CALLS = ("datetime.now", "date.today", "random.")

# The entry points, which take requests and print or answer; `bootstrap` wires them.
ENTRY_POINTS = ("muster.cli", "muster.api", "muster.web", "muster.posts")
INNER = (
    "domain",
    "ledger",
    "store",
    "accounts",
    "registry",
    "screening",
    "demo",
    "matching",
    "documents",
    "actor.py",
    "config.py",
    "environment.py",
    "errors.py",
    "file_errors.py",
)


def module_name(path: Path, root: Path) -> str:
    """The dotted name of a file under `root` (the `muster` folder)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path | None = None) -> set[str]:
    """Every module a file imports, anywhere in it (in functions too), relative imports
    resolved against `root`, and `from a import b` counted as `a` and `a.b`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, root).split(".") if root is not None else []
    if here and path.name != "__init__.py":
        here = here[:-1]  # the package the file is in
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if not here:
                    continue
                base = here[: len(here) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def files(target: str, root: Path = SRC) -> list[Path]:
    path = root / target
    if path.is_dir():
        return sorted(path.rglob("*.py"))
    return [path] if path.is_file() else []


def within(name: str, prefixes: Sequence[str]) -> bool:
    """Whether a module is one of these, or inside one of them."""
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@dataclass(frozen=True)
class Rule:
    """Modules (`where`, under `src/muster`) that must not import `forbidden`; `planted` is
    a file and an import that breaks the rule, for the rule's own test."""

    name: str
    where: tuple[str, ...]
    forbidden: tuple[str, ...]
    planted: tuple[str, str]

    def violations(self, root: Path = SRC) -> list[str]:
        found = []
        for target in self.where:
            for path in files(target, root):
                bad = {name for name in imports_of(path, root) if within(name, self.forbidden)}
                found += [
                    f"{path.relative_to(root)} imports {name}"
                    for name in sorted(bad)
                    if not within(name.rpartition(".")[0], sorted(bad))  # `a`, not `a.b` too
                ]
        return found


ENTRY_IMPORT_NO_STORE = Rule(
    "entry points import nothing from the store: engines come from muster.bootstrap",
    ("cli", "api", "web", "posts"),
    ("muster.store",),
    ("api/routers/planted.py", "from muster.store.tables import roll"),
)
MATCHING_NEVER_DEMO = Rule(
    "the matching library never imports the demo",
    ("matching",),
    ("muster.demo",),
    ("matching/planted.py", "def f():\n    from muster.demo import travelers\n"),
)
INNER_NEVER_ENTRY = Rule(
    "inner packages never import the entry points, nor the wiring that starts them",
    INNER,
    (*ENTRY_POINTS, "muster.bootstrap"),
    ("registry/planted.py", "from muster import bootstrap"),
)
REGISTRY_NEVER_SCREENING = Rule(
    "the registry never imports screening (screening reads the registry's tables)",
    ("registry",),
    ("muster.screening",),
    ("registry/planted.py", "from ..screening.decision import decide"),
)
STORE_NEVER_USE_CASES = Rule(
    "the store never imports the use cases (registry, screening, accounts)",
    ("store",),
    ("muster.registry", "muster.screening", "muster.accounts"),
    ("store/migrations/versions/planted.py", "from muster.registry import recording"),
)
RULES = (
    ENTRY_IMPORT_NO_STORE,
    MATCHING_NEVER_DEMO,
    INNER_NEVER_ENTRY,
    REGISTRY_NEVER_SCREENING,
    STORE_NEVER_USE_CASES,
)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_imports_point_inward(rule: Rule) -> None:
    assert rule.violations() == [], rule.name


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_rule_reports_a_planted_violation(rule: Rule, tmp_path: Path) -> None:
    root = tmp_path / "muster"
    path, source = rule.planted
    for target in rule.where:  # an allowed import beside it is not reported
        allowed = root / (target if target.endswith(".py") else f"{target}/allowed.py")
        allowed.parent.mkdir(parents=True, exist_ok=True)
        allowed.write_text("import json\nfrom muster.domain import kinds\n", encoding="utf-8")
    planted = root / path
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(source, encoding="utf-8")
    assert [v.split(" imports ")[0] for v in rule.violations(root)] == [path]


# Pure modules: no I/O, time or randomness.


def purity_problems(target: str, allowed: Sequence[str], root: Path = SRC) -> Iterator[str]:
    for path in files(target, root):
        for name in sorted(imports_of(path)):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if not name.startswith(allowed):
                yield f"{path.relative_to(root)} imports {name}"
        text = path.read_text(encoding="utf-8")
        for call in FORBIDDEN_CALLS:
            if f"{call}(" in text or f"import {call.rstrip('.')}" in text:
                yield f"{path.relative_to(root)} uses {call}: pass time and randomness in"


@pytest.mark.parametrize("target", list(PURE))
def test_pure_core_imports_only_stdlib_and_itself(target: str) -> None:
    assert files(target), f"{target}: no such module"
    assert list(purity_problems(target, PURE[target])) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("import sqlalchemy\n", "imports sqlalchemy"),
        ("from muster.store import tables\n", "imports muster.store"),
        ("from datetime import datetime\nNOW = datetime.now()\n", "uses datetime.now"),
        ("import random\n", "uses random."),
    ],
)
def test_purity_reports_a_planted_violation(tmp_path: Path, source: str, problem: str) -> None:
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "planted.py").write_text(source, encoding="utf-8")
    found = list(purity_problems("domain", PURE["domain"], tmp_path))
    assert found and problem in found[0], found


# Nothing imports a module that is gone (services/, matching/synthetic.py, names/).


def defined_in(package_init: Path) -> set[str]:
    """The names a package's `__init__.py` defines or imports at its top level."""
    tree = ast.parse(package_init.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def missing_modules(folders: Sequence[Path], src: Path = SRC) -> list[str]:
    """Imports of `muster` modules that do not exist under `src`, in every file of `folders`."""

    def module_path(name: str) -> Path:
        return src.parent.joinpath(*name.split("."))

    def exists(name: str) -> bool:
        path = module_path(name)
        return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

    gone = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    wanted = [a.name for a in node.names if within(a.name, ("muster",))]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    if not within(node.module, ("muster",)):
                        continue
                    wanted = [node.module]
                    init = module_path(node.module) / "__init__.py"
                    if init.is_file():  # a package: each name a module of it, or defined in it
                        known = defined_in(init)
                        wanted += [
                            f"{node.module}.{a.name}" for a in node.names if a.name not in known
                        ]
                else:
                    continue
                where = path.relative_to(folder.parent)
                gone += [f"{where} imports {name}" for name in wanted if not exists(name)]
    return gone


def test_nothing_imports_a_module_that_is_gone() -> None:
    assert missing_modules([ROOT / "src", ROOT / "tests", ROOT / "bench"]) == []


def test_a_module_that_is_gone_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "src" / "muster"
    (src / "registry").mkdir(parents=True)
    (src / "__init__.py").write_text('__version__ = "0"\n', encoding="utf-8")
    (src / "registry" / "__init__.py").write_text("", encoding="utf-8")
    (src / "registry" / "drafts.py").write_text("", encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(
        "from muster import __version__\n"
        "from muster.registry import drafts\n"
        "import muster.registry.drafts\n"
        "from muster.services import registry\n"
        "from muster.registry import queries\n"
        "def f():\n    import muster.matching.synthetic\n",
        encoding="utf-8",
    )
    assert missing_modules([tests], src) == [
        "tests/test_x.py imports muster.services",
        "tests/test_x.py imports muster.registry.queries",
        "tests/test_x.py imports muster.matching.synthetic",
    ]
