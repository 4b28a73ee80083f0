"""expert/ is layered: each subpackage imports only from the layers below it."""

import ast
import subprocess
import sys

import pytest

from conftest import ROOT

#: lowest first; the shared helpers at the package root sit under every layer
LAYERS = ["(root)", "language", "policy", "kb", "engine", "fhir", "consult", "explain", "report",
          "authoring", "commands"]
PACKAGE = ROOT / "expert"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 2 and parts[1] in LAYERS else 0


def dotted(path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join(parts)


def imports_of(path) -> set[str]:
    """Every expert module ``path`` imports, absolute or relative, at any depth."""
    module = dotted(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name == "expert" or name.startswith("expert.")}


def test_the_folder_tree_is_the_layers():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(LAYERS[1:])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: dotted(p))
def test_imports_only_go_down(path):
    here = layer_of(dotted(path))
    upward = [name for name in imports_of(path) if layer_of(name) > here]
    assert not upward, f"{dotted(path)} (layer {LAYERS[here]}) imports {upward}"


def test_the_layer_check_sees_an_upward_import(tmp_path):
    probe = PACKAGE / "language" / "conditions.py"
    assert "expert.language.model" not in imports_of(probe)  # relative imports resolved
    assert imports_of(PACKAGE / "consult" / "planner.py") >= {"expert.language.status",
                                                              "expert.consult.consultation"}


@pytest.mark.parametrize("module", [dotted(p) for p in MODULES])
def test_every_module_imports_alone(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def test_every_package_is_installed():
    """setup.cfg lists packages one by one: a new folder left out would be missing from a
    wheel (pipx install .) though an editable install still finds it."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {dotted(p) for p in PACKAGE.rglob("__init__.py")} | {"expert.knowledge"}
    assert found <= listed, f"not in setup.cfg's packages: {sorted(found - listed)}"
