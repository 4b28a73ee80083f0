"""Loading knowledge: every problem found at once, each with file:line and rule id."""

import gc
import os
import shutil
import textwrap

import pytest

from conftest import MINI
from expert.errors import InputError, KnowledgeError
from expert.kb.loader import load_knowledge

GOOD_RULE = """
  - id: extra-rule
    title: Extra rule
    when: {n: {at_least: 10}}
    then: {hypothesis: {id: h1, cf: 0.1}}
    because: An extra rule for testing.
    sources: [S01]
"""


def load_with(tmp_path, rules: str, name: str = "broken.yaml"):
    folder = tmp_path / "extra"
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "kb.yaml").write_text("name: extra\nversion: '1'\n")
    (folder / "rules" / name).write_text(textwrap.dedent(rules))
    return load_knowledge((MINI, folder), package=False, use_cache=False)


def problems(tmp_path, rules: str) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_with(tmp_path, rules)
    return [str(p) for p in caught.value.problems]


def test_a_good_extra_rule_loads(tmp_path):
    kb = load_with(tmp_path, "rules:" + GOOD_RULE)
    assert "extra-rule" in kb.rules_by_id
    assert kb.version == "mini 0.0.1 + extra 1"


def test_yaml_syntax_errors_name_the_line(tmp_path):
    (found,) = problems(tmp_path, "rules:\n  - id: x\n    title: [unclosed\n    because: x\n")
    assert found.startswith(str(tmp_path / "extra" / "rules" / "broken.yaml") + ":3: ")
    assert "not valid YAML: parsing a flow sequence that is not closed" in found


def test_a_misspelt_key_names_file_line_and_rule(tmp_path):
    (found,) = problems(tmp_path, """\
        rules:
          - id: typo-rule
            title: Typo
            wehn: {a: true}
            then: {referral: routine}
            because: The key when is misspelt here.
            sources: [S01]
        """)
    assert found.endswith("broken.yaml:4: typo-rule: unknown key 'wehn'; allowed: because, "
                          "evidence, id, override, refines, replaced_by, sources, status, "
                          "then, title, when")


def test_a_wrong_type_is_reported_at_its_line(tmp_path):
    (found,) = problems(tmp_path, """\
        rules:
          - id: bad-cf
            title: Bad cf
            when: {a: true}
            then:
              hypothesis: {id: h1, cf: high}
            because: The certainty factor is not a number.
            sources: [S01]
        """)
    assert "broken.yaml:6: bad-cf:" in found
    assert "'high'" in found


def test_every_problem_is_reported_at_once(tmp_path):
    found = problems(tmp_path, """\
        rules:
          - id: unknown-question
            title: Unknown question
            when: {sympotms: {includes: red}}
            then: {referral: routine}
            because: Refers to a question that does not exist.
            sources: [S01]
          - id: bad-choice
            title: Bad choice
            when: {many: {includes: purple}}
            then: {referral: routine}
            because: Refers to a choice that does not exist.
            sources: [S01]
          - id: bad-operator
            title: Bad operator
            when: {a: {at_least: 3}}
            then: {referral: routine}
            because: A yes/no question has no order.
            sources: [S01]
          - id: bad-source
            title: Bad source
            when: {b: true}
            then: {hypothesis: {id: h3, cf: 0.2}}
            because: Cites a source and concludes a hypothesis that do not exist.
            sources: [S99]
        """)
    text = "\n".join(found)
    assert "broken.yaml:4: unknown-question: unknown question sympotms" in text
    assert "broken.yaml:10: bad-choice: 'purple' is not a choice of many" in text
    assert "broken.yaml:16: bad-operator: at_least does not apply to a (boolean)" in text
    assert "bad-source: source S99 is not in the reference" in text
    assert "bad-source: unknown hypothesis h3" in text
    assert len(found) == 5


def test_did_you_mean(tmp_path):
    (found,) = problems(tmp_path, "rules:" + GOOD_RULE.replace("{n: {at_least: 10}}",
                                                               "{pik: x}"))
    assert "unknown question pik (did you mean pick?)" in found


def test_duplicate_ids_need_an_explicit_override(tmp_path):
    rule = GOOD_RULE.replace("extra-rule", "base")
    (found,) = problems(tmp_path, "rules:" + rule)
    assert "rule id base is already used at tests/kbs/mini/rules/mini.yaml:" in found
    assert "override: true" in found
    kb = load_with(tmp_path, "rules:" + rule.replace("    sources: [S01]",
                                                     "    sources: [S01]\n    override: true"))
    assert kb.rules_by_id["base"].title == "Extra rule"


def test_override_of_nothing_is_an_error(tmp_path):
    (found,) = problems(tmp_path, "rules:" + GOOD_RULE + "    override: true\n")
    assert "override: true but no earlier rule has this id" in found


def test_rules_reading_each_other_in_a_cycle_are_rejected(tmp_path):
    found = problems(tmp_path, """\
        rules:
          - id: loop-one
            title: One
            when: {hypothesis: {id: h2, at_least: 0.2}}
            then: {hypothesis: {id: h1, cf: 0.2}}
            because: Reads h2, writes h1.
            sources: [S01]
          - id: loop-two
            title: Two
            when: {hypothesis: {id: h1, at_least: 0.2}}
            then: {hypothesis: {id: h2, cf: 0.2}}
            because: Reads h1, writes h2.
            sources: [S01]
        """)
    assert any("cycle" in f and "loop-one" in f and "loop-two" in f for f in found)


def test_a_key_given_twice_is_an_error_not_an_overwrite(tmp_path):
    (found,) = problems(tmp_path, "rules:" + GOOD_RULE.replace(
        "    sources: [S01]", "    sources: [S01]\n    title: Again"))
    assert "key 'title' appears twice" in found


def test_python_tags_are_not_executed(tmp_path):
    (found,) = problems(tmp_path, "rules: !!python/object/apply:os.system ['echo pwned']\n")
    assert "not valid YAML" in found


def test_a_folder_without_kb_yaml_is_refused(tmp_path):
    (tmp_path / "rules").mkdir()
    with pytest.raises(InputError, match=r"no kb\.yaml"):
        load_knowledge((MINI, tmp_path), package=False, use_cache=False)


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="knowledge folder not found"):
        load_knowledge((tmp_path / "nope",), package=False)


def test_a_cached_base_is_not_validated_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TWITCHDX_CACHE", str(tmp_path / "cache"))
    first = load_knowledge((MINI,), package=False)
    import expert.kb.builder

    def fail(*args):
        raise AssertionError("built again")

    monkeypatch.setattr(expert.kb.builder, "build", fail)
    assert load_knowledge((MINI,), package=False) == first


LOW_AUTHORITY = {"S00", "S36", "S61"}  # the starting article, Healthline, minor pages


def test_what_only_low_authority_sources_say_stays_weak(kb):
    """A rule that only the starting article or other low-authority pages support gives
    weak evidence at most, and never more than a routine check."""
    weakly_sourced = [r for r in kb.rules if set(r.sources) <= LOW_AUTHORITY]
    assert {"vd-fatigue-spasms", "vd-twitch-location"} <= {r.id for r in weakly_sourced}
    for rule in weakly_sourced:
        assert all(cf < 0.2 for _, cf in rule.then.hypotheses), rule.id
        assert not rule.then.referral or kb.level_rank[rule.then.referral] <= 2, rule.id


def same_tree(a, b) -> bool:
    """Equal values, and equal lines everywhere a file line is kept."""
    if type(a) is not type(b) or getattr(a, "line", None) != getattr(b, "line", None):
        return False
    if isinstance(a, dict):
        return a.key_lines == b.key_lines and a.keys() == b.keys() and all(
            same_tree(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return a.item_lines == b.item_lines and len(a) == len(b) and all(
            same_tree(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN (.nan in a file) is itself


def test_parsed_files_are_shared_and_never_changed(runner, cli, tmp_path):
    """Each file is parsed once per process and what comes back is shared, so nothing
    that reads it may change it: check, test, consult and a salvaged rule leave every
    parsed file as a fresh parse gives it."""
    from conftest import EXAMPLES
    from expert.kb import yamlsource

    local = tmp_path / "local"
    (local / "rules").mkdir(parents=True)
    (local / "kb.yaml").write_text("name: local\nversion: '1'\n")
    (local / "rules" / "local.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: local-rule
            title: A local rule
            because: Short.
            sources: [S01]
            when: {age: {at_least: 110}}
            then: {note: {id: stress, cf: 0.1}}
        """))
    assert runner.invoke(cli, ["kb", "check", "--kb", str(local)]).exit_code == 1  # salvaged
    assert runner.invoke(cli, ["kb", "test"]).exit_code == 0
    assert runner.invoke(cli, ["consult", "--answers", str(EXAMPLES / "ppi-diuretic.yaml")]
                         ).exit_code == 0
    kept = yamlsource.remembered()
    assert len(kept) > 200
    assert yamlsource.parse(*kept[0][0]) is kept[0][1]  # shared, not parsed again
    changed = [path for (text, path), data in kept
               if not same_tree(data, yamlsource._parse(text, path))]
    assert changed == []


def test_a_built_base_is_kept_from_the_collector_and_holds_no_cycle(tmp_path):
    """Frozen after a load, so the collector never walks it; safe, because refcounting
    frees a base whole (it holds no reference cycle), and a load leaves next to no
    cyclic garbage to be frozen with it (a closure calling itself, made for each rule,
    once left five objects a rule)."""
    gc.collect()
    before = gc.get_freeze_count()
    load_knowledge(use_cache=False)
    assert gc.get_freeze_count() > before
    gc.disable()  # a caller that keeps the collector off: nothing is frozen for it
    try:
        frozen = gc.get_freeze_count()
        kb = load_knowledge(use_cache=False)
        assert gc.get_freeze_count() == frozen
        assert gc.collect() < 100  # a few closures of the schema library, however many rules
        del kb
        assert gc.collect() == 0
    finally:
        gc.enable()
    before = gc.get_freeze_count()
    with pytest.raises(KnowledgeError):  # a failed build's traceback has cycles to find
        load_with(tmp_path, "- id: [\n")
    assert gc.get_freeze_count() <= before  # lower when a cache let frozen entries go


def test_the_lean_sha256_is_hashlibs():
    import hashlib

    from expert.kb.digest import sha256

    for data in (b"", b"twitchdx", "magnésium\0".encode() * 5000):
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    hashed = sha256(b"two ")
    hashed.update(b"parts")
    assert hashed.hexdigest() == hashlib.sha256(b"two parts").hexdigest()


def test_a_cached_load_does_not_load_openssl(tmp_path):
    """A consultation's start reads the cache without importing hashlib (8 ms of OpenSSL)."""
    import os
    import subprocess
    import sys

    code = ("import sys; from expert.kb.loader import load_knowledge; load_knowledge(); "
            "print(sorted({'hashlib', '_hashlib'} & set(sys.modules)))")
    env = {**os.environ, "TWITCHDX_CACHE": str(tmp_path / "cache")}
    _built, cached = (subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, env=env, check=True) for _ in range(2))
    assert cached.stdout.strip() == "[]", cached.stdout  # (building may import it)


def test_an_edit_is_never_served_from_the_cache(tmp_path, monkeypatch):
    """The key is the files' bytes: an edit of the same size, its time set back as a
    copy or a checkout can leave it, is still seen."""
    monkeypatch.setenv("TWITCHDX_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    rules = folder / "rules" / "mini.yaml"

    def certainty() -> dict:
        kb = load_knowledge((folder,), package=False)
        return dict(kb.rules_by_id["h1-from-a"].then.hypotheses)

    assert certainty() == {"h1": 0.4}
    before = rules.stat()
    rules.write_text(rules.read_text().replace("cf: 0.4}", "cf: 0.3}", 1))
    os.utime(rules, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rules.stat().st_size == before.st_size
    assert certainty() == {"h1": 0.3}
    assert len(list((tmp_path / "cache").glob("kb-*.cache"))) == 2


def test_a_build_imports_only_the_code_its_cache_key_stamps():
    """The cache's key stamps the package's own modules and the folders of BUILDERS, not
    every folder: so building a base must import nothing else of the package, or an
    edit there would be served a base built by the code before it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import expert
    from expert.kb.loader import BUILDERS

    code = ("import sys; from expert.kb.loader import load_knowledge; "
            "load_knowledge(use_cache=False); print('\\n'.join(m.__file__ for name, m in "
            "list(sys.modules.items()) if name.startswith('expert.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "TWITCHDX_CACHE": "off"})
    package = Path(expert.__file__).parent
    folders = [Path(f).relative_to(package).parts[:-1] for f in done.stdout.splitlines()]
    assert {parts[0] for parts in folders if parts} == set(BUILDERS)
