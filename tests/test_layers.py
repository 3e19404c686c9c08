"""The import rule of docs/ARCHITECTURE.md, for every layer, and no import circle (read from the source)."""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "jazzremix_gui"
LAYERS = ("core", "playback", "services", "ui", "training", "cli")
#: What each layer may import of the package (itself included); ``cli`` may import everything.
MAY_IMPORT = {
    "core": {"core"},
    "playback": {"core", "playback"},
    "services": {"core", "services"},
    "ui": {"core", "playback", "services", "ui"},
    "training": {"core", "training"},
    "cli": set(LAYERS),
}
#: Third-party packages a layer must not import.
MUST_NOT_IMPORT = {
    "core": {"PySide6", "pyqtgraph", "torch", "sounddevice", "onnx", "matplotlib", "mido"},
    "playback": {"PySide6", "pyqtgraph", "torch", "onnx"},
    "services": {"PySide6", "pyqtgraph", "torch", "sounddevice"},
    "ui": {"torch", "onnx"},
    "training": {"PySide6", "pyqtgraph", "sounddevice"},
    "cli": set(),
}
QT = {"PySide6", "pyqtgraph"}
#: The one import across the rule: the separator adapted to a recording (the app's worker, ``render``) runs
#: ``training.adapt``, which needs the optional training extra, imported inside the function that runs it only.
LAZY_ACROSS = {"jazzremix_gui.services.adaptation": {"jazzremix_gui.training.adapt"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions, as absolute names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES)
    return out


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "jazzremix_gui" and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_what_the_rule_allows(layer):
    bad = []
    for name, path in MODULES.items():
        if layer_of(name) != layer:
            continue
        for imp in imports(path):
            top = imp.split(".")[0]
            target = layer_of(imp)
            if imp in LAZY_ACROSS.get(name, ()):
                continue
            if top == "jazzremix_gui" and imp != "jazzremix_gui" and target not in MAY_IMPORT[layer]:
                bad.append(f"{name} imports {imp}")
            if top in MUST_NOT_IMPORT[layer]:
                bad.append(f"{name} imports {imp}")
    assert not bad, "\n".join(bad)


def test_the_imports_across_the_rule_are_inside_functions_only():
    """Importing the module loads neither the training layer nor torch (checked at run time too)."""
    for name, allowed in LAZY_ACROSS.items():
        tree = ast.parse(MODULES[name].read_text())
        top = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)} | \
            {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        assert not top & allowed, (name, top & allowed)
        assert allowed <= imports(MODULES[name])  # and they are there, inside a function


def test_every_ui_module_is_qt():
    """ui/ holds widgets and Qt glue only; Qt-free code belongs in services/ or core/."""
    lacking = [name for name, path in MODULES.items() if layer_of(name) == "ui" and path.name != "__init__.py"
               and not {i.split(".")[0] for i in imports(path)} & QT]
    assert not lacking, lacking


def test_no_import_circle():
    graph = {name: {i for i in imports(path) if i in MODULES and i != name} for name, path in MODULES.items()}
    state, stack, circles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert not circles, "\n".join(circles)


def test_the_checks_see_real_imports():
    """The parser finds what it must (or the tests above could pass on nothing)."""
    assert "jazzremix_gui.core.signal.stft" in imports(MODULES["jazzremix_gui.core.signal.features"])
    assert "jazzremix_gui.training.synth.arrangement" in imports(MODULES["jazzremix_gui.training.synth.dataset"])
    assert "PySide6.QtCore" in imports(MODULES["jazzremix_gui.ui.worker"])
    assert len([m for m in MODULES if layer_of(m) == "services"]) >= 5


#: core's concerns (docs/ARCHITECTURE.md): what each sub-package may import of core, itself included.
#: ``files`` is the bottom (the user's files kept safe), ``audio`` reads and writes sound on top of it,
#: ``signal`` is the paper's maths (it may resample and run a model session); the modules directly in
#: core (pipeline, evaluation, ...) sit on top of all three.
CORE_BASE = {"jazzremix_gui.core", "jazzremix_gui.core.errors", "jazzremix_gui.core.constants",
             "jazzremix_gui.core.scipy_parts"}
CORE_MAY_IMPORT = {
    "files": CORE_BASE | {"files"},
    "audio": CORE_BASE | {"files", "audio"},
    "signal": CORE_BASE | {"files", "audio", "signal", "jazzremix_gui.core.models", "jazzremix_gui.core.device",
                           "jazzremix_gui.core.progress"},
}
MAX_MODULES_DIRECTLY_IN_CORE = 16


def core_concern(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "core" and parts[2] in CORE_MAY_IMPORT else None


@pytest.mark.parametrize("concern", sorted(CORE_MAY_IMPORT))
def test_core_concerns_import_downwards(concern):
    bad = []
    for name, path in MODULES.items():
        if core_concern(name) != concern:
            continue
        for imp in imports(path):
            if layer_of(imp) != "core":
                continue
            if imp not in CORE_MAY_IMPORT[concern] and core_concern(imp) not in CORE_MAY_IMPORT[concern]:
                bad.append(f"{name} imports {imp}")
    assert not bad, "\n".join(bad)


def test_core_is_grouped_by_concern():
    flat = sorted(p.name for p in (PKG / "core").glob("*.py") if p.name != "__init__.py")
    assert len(flat) <= MAX_MODULES_DIRECTLY_IN_CORE, flat
    for concern in CORE_MAY_IMPORT:
        assert len(list((PKG / "core" / concern).glob("*.py"))) >= 5, concern
