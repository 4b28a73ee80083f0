"""knowledge/README.md's claim-by-claim table of the starting article is true."""

import re

from conftest import ROOT

README = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")
ROWS = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(
    r"^\| (SEED-\d\d) \| .*? \| (.*?) \| (.*?) \|$", README, re.MULTILINE)}


def test_every_claim_of_the_article_has_a_row():
    assert sorted(ROWS) == [f"SEED-{i:02d}" for i in range(1, 37)]


def test_each_row_names_the_rules_that_cite_the_claim(kb):
    for seed, (_, represented) in ROWS.items():
        listed = set(re.findall(r"`([a-z0-9-]+)`", represented))
        citing = {r.id for r in kb.rules if seed in r.evidence}
        assert listed == citing, seed
        if not listed:
            assert represented.startswith("not a rule:"), seed


def test_weakened_claims_are_weak_and_say_why(kb):
    for verdict, represented in ROWS.values():
        if not verdict.startswith(("⚠", "✘")):
            continue
        for rule_id in re.findall(r"`([a-z0-9-]+)`", represented):
            rule = kb.rules_by_id[rule_id]
            assert all(cf <= 0.1 for _, cf in rule.then.hypotheses), rule_id
            assert re.search(r"better sources|could not be verified|not from an authoritative",
                             rule.because, re.IGNORECASE), rule_id
