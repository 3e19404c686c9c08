"""docs/ARCHITECTURE.md names only what exists: every module path and every name in backticks.

Conventions the doc follows (and this test reads):
- a path ending in ``.py`` or ``/`` is a module or package of ``jazzremix_gui`` (``core/signal/stft.py``),
  or a file of the repository (``packaging/jazzremix.spec``); a bare file name (``separate_cmd.py``) exists
  somewhere in the package or under ``packaging/``;
- a dotted name (``core.signal.panlaw.place_solo``, ``pipeline.render_remix``, ``Stems.solo_level``) starts
  with a module (its full path in the package, or its last components when they are unique) or with a
  class or function a module defines, and every further part is an attribute (a dataclass or NamedTuple
  field counts);
- in a table row whose first cell names modules, every bare name in the second cell (``separate``,
  ``stft(x, hop)``, ``ALPHA = 1.3``) is an attribute of one of those modules, or of a class they define;
- a name from outside the package (``onnxruntime.preload_dlls``, ``KeyboardInterrupt``) must exist there too;
- literal strings (metadata keys, option values) are quoted inside the backticks: ``"jazzremix.kind"``;
  file names (``jazzremix.log``, ``solo.wav``) are not names.
"""

import ast
import builtins
import dataclasses
import importlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "jazzremix_gui"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
TICKS = re.compile(r"`([^`\n]+)`")
IDENT = r"[A-Za-z_]\w*"
DOTTED = re.compile(rf"^({IDENT}(?:\.{IDENT})+)(\(.*\))?$")
BARE = re.compile(rf"^({IDENT})(\(.*\)| = .+)?$")
PATH = re.compile(r"^[\w./-]+(\.py|\.sh|\.spec|/)$")
FILE_NAME = re.compile(r"\.(py|sh|spec|md|json|jsonl|onnx|pt|log|wav|flac|ini|jrs|png|toml|txt)$")

MODULES = {
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
    for p in PKG.rglob("*.py") if "__pycache__" not in p.parts
}


def _text() -> str:
    """The doc without its fenced blocks (the layer drawing, formulas)."""
    return re.sub(r"^```.*?^```", "", DOC.read_text(encoding="utf-8"), flags=re.S | re.M)


def _module_for(parts: list[str]) -> str | None:
    """The module named by ``parts`` (a full path below the package, or unique trailing components)."""
    full = ".".join(["jazzremix_gui", *parts])
    if full in MODULES:
        return full
    hits = [m for m in MODULES if m.endswith("." + ".".join(parts))]
    return hits[0] if len(hits) == 1 else None


@lru_cache(maxsize=None)
def _top_level_names(module: str) -> frozenset[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names.add(target.id)
    return frozenset(names)


def _external(name: str) -> bool:
    """Whether ``name`` is a module outside the package that this environment has."""
    try:
        return not name.startswith("jazzremix_gui") and importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _has(obj, name: str) -> bool:
    if hasattr(obj, name):
        return True
    if isinstance(obj, type):
        if dataclasses.is_dataclass(obj) and name in {f.name for f in dataclasses.fields(obj)}:
            return True
        return any(name in getattr(k, "__annotations__", {}) for k in obj.__mro__)
    return False


def _resolve(dotted: str) -> str:
    """'' when the dotted name exists, else why not."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        module = _module_for(parts[:k])
        if module:
            obj, rest = importlib.import_module(module), parts[k:]
            break
    else:
        owners = [m for m in MODULES if parts[0] in _top_level_names(m)]
        if owners:
            obj, rest = importlib.import_module(owners[0]), parts
        elif _external(parts[0]):  # another library: its longest importable prefix, then attributes
            k = max(k for k in range(1, len(parts) + 1) if _external(".".join(parts[:k])))
            obj, rest = importlib.import_module(".".join(parts[:k])), parts[k:]
        else:
            return f"no module is called {parts[0]!r} and none defines it"
    for name in rest:
        if not _has(obj, name):
            return f"{getattr(obj, '__name__', obj)} has no {name!r}"
        obj = getattr(obj, name, None)
    return ""


def _path_exists(path: str) -> bool:
    if "/" not in path.rstrip("/"):
        name = path.rstrip("/")
        return (ROOT / name).exists() or any(PKG.rglob(name)) or any((ROOT / "packaging").glob(name))
    return any((base / path).exists() for base in (PKG, ROOT))


def test_every_module_path_exists():
    missing = [p for p in TICKS.findall(_text()) if PATH.match(p) and not _path_exists(p)]
    assert not missing, f"docs/ARCHITECTURE.md names files that do not exist: {missing}"


def test_every_dotted_name_exists():
    problems = {}
    for token in TICKS.findall(_text()):
        match = DOTTED.match(token)
        if match and not PATH.match(token) and not FILE_NAME.search(token):
            why = _resolve(match[1])
            if why:
                problems[token] = why
    assert not problems, f"docs/ARCHITECTURE.md names what does not exist: {problems}"


def _table_rows():
    for line in _text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) >= 2:
            modules = [m for p in TICKS.findall(cells[0]) if p.endswith(".py")
                       for m in [_module_for(p.removesuffix(".py").split("/"))] if m]
            if modules:
                yield cells[0], modules, TICKS.findall(" | ".join(cells[1:]))


def test_names_in_module_tables_exist():
    problems = []
    rows = list(_table_rows())
    for first, modules, tokens in rows:
        loaded = [importlib.import_module(m) for m in modules]
        classes = [v for mod in loaded for v in vars(mod).values()
                   if isinstance(v, type) and v.__module__ == mod.__name__]
        for token in tokens:
            match = BARE.match(token)
            if match and not (any(_has(o, match[1]) for o in [*loaded, *classes])
                              or hasattr(builtins, match[1]) or _external(match[1])):
                problems.append(f"{first}: {token}")
    assert len(rows) >= 40, "the module tables were not found: this test would check nothing"
    assert not problems, "docs/ARCHITECTURE.md lists names its modules do not have:\n" + "\n".join(problems)


def test_the_checks_catch_a_missing_name():
    """The resolver refuses what does not exist (or the tests above could pass on nothing)."""
    assert _resolve("core.signal.panlaw.place_solo") == ""
    assert _resolve("remix_writer.render_remix") == "" and _resolve("Stems.solo_level") == ""
    assert _resolve("core.signal.features.mixer_features") == "" and _resolve("onnxruntime.preload_dlls") == ""
    assert _resolve("core.signal.features.no_such_function")
    assert _resolve("suggestion.run_mixer")  # core/suggestion.py became core/signal/mixer.py
    assert _resolve("pipeline.render_remix")  # moved to services/remix_writer.py
    assert _resolve("nothing_like_this.at_all") and _resolve("onnxruntime.no_such_function")
    assert not _path_exists("core/suggestion.py") and _path_exists("core/signal/mixer.py")
