"""A pytest plugin (``-p mutant_hook``) that puts one mutant in place of its module.

tools/mutants.py starts pytest with ``TWITCHDX_MUTANT=module:path:index``; before
any test imports the module, this finder gives the import system the mutant's code
instead of the file's.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from mutants import mutated


class MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, name: str, path: str, index: int):
        self.name, self.path, self.index = name, path, index

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        is_package = self.path.endswith("__init__.py")
        return importlib.util.spec_from_file_location(
            fullname, self.path, loader=self,
            submodule_search_locations=[str(Path(self.path).parent)] if is_package else None)

    def create_module(self, spec: Any) -> None:
        return None

    def exec_module(self, module: Any) -> None:
        code = mutated(Path(self.path).read_text(), self.index, self.path)
        exec(code, module.__dict__)


_wanted = os.environ.get("TWITCHDX_MUTANT")
if _wanted:
    _name, _path, _index = _wanted.rsplit(":", 2)
    if _name in sys.modules:
        raise RuntimeError(f"{_name} was imported before the mutant could replace it")
    sys.meta_path.insert(0, MutantFinder(_name, _path, int(_index)))
