"""tools/mutants.py, the project's mutation check: which slips it makes, and that a
mutant really runs in place of the module."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))

from mutants import mutants, mutated

SOURCE = '''
"""A module docstring is not mutated."""
LIMIT: int = 3


def f(x: int, items: list) -> int:
    """Nor is a docstring."""
    if x < LIMIT and not items:
        return max(x, 1)
    for item in items:
        if item is None:
            continue
        print(item)
    return -x
'''


def test_the_slips_it_makes_in_order():
    assert [(m.line, m.what) for m in mutants(SOURCE)] == [
        (3, "3 -> 4"), (8, "< -> <="), (8, "not x -> x"), (8, "and -> or"),
        (9, "1 -> 2"), (9, "max() -> min()"), (9, "return x -> return None"),
        (11, "is -> is not"), (12, "continue -> break"), (13, "call removed"),
        (14, "-x -> x"), (14, "return x -> return None")]


def test_a_mutant_keeps_the_lines_and_changes_the_behaviour():
    namespace: dict = {}
    exec(mutated(SOURCE, 1, "m.py"), namespace)  # < becomes <=
    assert namespace["f"](3, []) == 3
    exec(compile(SOURCE, "m.py", "exec"), namespace)
    assert namespace["f"](3, []) == -3
