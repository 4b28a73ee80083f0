"""Knowledge that double-counts: refused whenever knowledge loads.

Two rules that give the same hypothesis (or note) evidence under the same
conditions count one piece of evidence twice (a copied rule turns 0.35 into
0.58), and so does a rule that restates another with a narrower condition and
the same certainty.  A narrower rule with its own certainty is how extra
evidence is written (a PPI *with* a diuretic), and is left alone.
"""

from __future__ import annotations

from ..errors import Problem
from ..language.implication import equivalent, implies
from ..language.model import KnowledgeBase, RuleDef


def double_counting(kb: KnowledgeBase) -> list[Problem]:
    """A problem for each rule whose evidence another rule already gives."""
    out = []
    for kind in ("hypotheses", "notes"):
        givers: dict[str, list[tuple[RuleDef, float]]] = {}
        for rule in kb.rules:
            for target, cf in getattr(rule.then, kind):
                givers.setdefault(target, []).append((rule, cf))
        for target, pairs in givers.items():
            pairs.sort(key=lambda pair: pair[0].order)  # in load order: the later one is named
            for index, (later, cf) in enumerate(pairs):
                for earlier, earlier_cf in pairs[:index]:
                    if (cf > 0) != (earlier_cf > 0):
                        continue
                    same = equivalent(later.alternatives, earlier.alternatives)
                    restated = cf == earlier_cf and implies(later.alternatives,
                                                            earlier.alternatives)
                    if same or restated:
                        how = "under the same conditions" if same else "whenever it fires"
                        out.append(Problem(
                            later.path, later.line_of_item(
                                "hypothesis" if kind == "hypotheses" else "note", target),
                            later.id, f"gives {target} {cf:+g} {how} as rule {earlier.id} "
                            f"({earlier.where}) gives it {earlier_cf:+g}: the same evidence "
                            "would be counted twice", check="double-counting"))
                        break
    return out
