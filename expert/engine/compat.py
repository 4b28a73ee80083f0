"""The one place experta is imported, so that it imports at all.

experta 1.9.4 pins frozendict 1.2, whose ``frozendict`` subclasses
``collections.Mapping``: an alias Python 3.10 removed, so ``import experta.engine``
fails with AttributeError on Python 3.11.  A newer frozendict would break the pin
(``pip check`` fails and the resolver refuses it), so instead the alias is restored
before experta is first imported.  experta's own test suite passes this way.

The engine package imports this module first (``expert/engine/__init__.py``), so
every module under it may import experta; elsewhere import experta's names from
here.  ``experta/__init__.py`` swallows ImportError, which would otherwise turn a
broken install into a confusing NameError much later.
"""

import collections
import collections.abc

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from experta.abstract import Matcher
from experta.activation import Activation
from experta.agenda import Agenda
from experta.conditionalelement import AND, NOT, OR
from experta.engine import KnowledgeEngine
from experta.fact import Fact, InitialFact
from experta.factlist import FactList
from experta.fieldconstraint import P, W
from experta.matchers import ReteMatcher
from experta.rule import Rule
from experta.shortcuts import AS
from experta.strategies import DepthStrategy, Strategy

__all__ = [
    "AND",
    "AS",
    "NOT",
    "OR",
    "Activation",
    "Agenda",
    "DepthStrategy",
    "Fact",
    "FactList",
    "InitialFact",
    "KnowledgeEngine",
    "Matcher",
    "P",
    "ReteMatcher",
    "Rule",
    "Strategy",
    "W",
]
