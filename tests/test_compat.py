"""experta 1.9.4 must import and fire on Python >= 3.10 in a fresh interpreter."""

import importlib.metadata
import subprocess
import sys

SMOKE = """
import expert.engine.compat as c
fired = []

class Engine(c.KnowledgeEngine):
    @c.Rule(c.Fact(greeting="hello"))
    def answer(self):
        fired.append("answer")

engine = Engine()
engine.reset()
engine.declare(c.Fact(greeting="hello"))
engine.run()
assert fired == ["answer"], fired
print("fired", len(fired))
"""


def test_engine_imports_and_fires_in_a_fresh_interpreter():
    done = subprocess.run([sys.executable, "-c", SMOKE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fired 1"


def test_the_pinned_frozendict_is_the_one_that_needs_the_fix():
    # if experta or frozendict ever change, this test says the shim may be obsolete
    assert importlib.metadata.version("experta") == "1.9.4"
    assert importlib.metadata.version("frozendict") == "1.2"


def test_plain_import_fails_without_the_shim():
    done = subprocess.run([sys.executable, "-c", "import experta.engine"],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "Mapping" in done.stderr


def test_installed_requirements_are_consistent():
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
