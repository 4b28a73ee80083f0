"""The quick construction of YAML (yamlsource._quick) against PyYAML's constructor.

The quick path builds plain files straight from libyaml's nodes and leaves anything
unusual to the constructor; both must give the same values, types and lines, and a
file it calls plain must hold nothing validation would flag.
"""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from expert.kb import validation, yamlsource
from expert.kb.loader import all_files, knowledge_dirs
from expert.kb.yamlsource import LineDict, LineList, _Loader, _quick, _Unusual


def _slow(text: str):
    return yaml.load(text, Loader=_Loader)


def same(a, b) -> bool:
    """Equal values of the same types, with the same lines at every level."""
    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict):
        return a.line == b.line and a.key_lines == b.key_lines and list(a) == list(b) and \
            all(same(a[k], b[k]) for k in a)
    if isinstance(a, LineList):
        return a.line == b.line and a.item_lines == b.item_lines and len(a) == len(b) and \
            all(map(same, a, b))
    return a == b


def quick_or_none(text: str):
    try:
        return _quick(text)
    except (_Unusual, ValueError):
        return None


def test_every_shipped_knowledge_file_is_plain_and_built_alike():
    for _, path in all_files(knowledge_dirs((), True)):
        text = path.read_text(encoding="utf-8")
        quick = _quick(text)
        assert quick.plain, path
        assert same(quick, _slow(text)), path


scalars = st.one_of(
    st.text(max_size=12), st.integers(-10**15, 10**15), st.booleans(), st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=32))
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.one_of(st.text(max_size=8), st.integers(-5, 5), st.booleans()), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([False, True]))
def test_quick_and_slow_build_the_same_document(data, flow):
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    quick = quick_or_none(text)
    if quick is None:
        return  # left to the constructor: nothing to compare
    assert same(quick, _slow(text)), text
    if isinstance(quick, LineDict | LineList):  # plain: validation's scan finds nothing
        problems: list = []
        validation._scan(quick, [], problems, set(), "f.yaml", quick)
        assert problems == [], text


def test_what_the_quick_path_leaves_to_the_constructor():
    unusual = [
        "a: &x [1]\nb: *x\n",  # an alias: shared, and counted at each use
        "a: !!int abc\n",  # a tag the value cannot hold: an error at its line
        "a: !!bool maybe\n",
        "1: one\n",  # a key that is not text
        "a: .inf\n", "a: 1e400\n", "a: 10000000000000\n",  # numbers validation flags
        "a: 1\na: 2\n",  # a key given twice
        "a: !!set {x}\n",
        "[" * 45 + "]" * 45 + "\n",  # deeper than a plain file
    ]
    for text in unusual:
        try:
            _quick(text)
        except (_Unusual, ValueError):
            continue
        raise AssertionError(f"built quickly: {text!r}")


def test_errors_are_the_constructors_at_their_line():
    for text, said in [("a: 1\na: 2\n", "appears twice"),
                       ("x: 1\nage: !!int abc\n", "cannot be read as !!int")]:
        try:
            yamlsource._parse(text, "f.yaml")
        except yamlsource.DataFileError as exc:
            assert said in exc.problem and exc.line == 2
        else:
            raise AssertionError(text)


def test_the_quick_path_counts_values_as_the_limit_does():
    """No alias, so nothing is shared: yet a file of more values than the limit is left
    to the constructor, and refused; one at the limit is built quickly."""
    from expert.kb.limits import MAX_VALUES

    at_limit = "a: [" + ", ".join(["x"] * (MAX_VALUES - 2)) + "]\n"  # the root, a list, items
    assert len(_quick(at_limit)["a"]) == MAX_VALUES - 2
    over = at_limit.replace("[", "[x, ")
    try:
        _quick(over)
    except _Unusual:
        pass
    else:
        raise AssertionError("built quickly past the limit")
    try:
        yamlsource._parse(over, "f.yaml")
    except yamlsource.DataFileError as exc:
        assert "more than" in exc.problem
    else:
        raise AssertionError("a file past the limit was read")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=10), st.booleans(), st.booleans(),
       st.sampled_from([yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode]))
def test_tags_resolve_as_pyyaml_resolves_them(value, plain, quoted, kind):
    loader = _Loader("")
    assert yamlsource._resolve(loader, kind, value, (plain, quoted)) == \
        yaml.resolver.BaseResolver.resolve(loader, kind, value, (plain, quoted))


def test_json_is_held_to_the_same_limits_however_it_is_read():
    """parse_json walks a document again only when it could break a limit; one at each
    limit passes, one past it is refused."""
    from expert.kb.jsonsource import parse_json
    from expert.kb.limits import MAX_DEPTH, MAX_VALUES

    deep = MAX_DEPTH - 1  # lists around a number: the number is at depth MAX_DEPTH
    assert parse_json("[" * deep + "1" + "]" * deep, "f.json") is not None
    for text in ["[" * (deep + 1) + "1" + "]" * (deep + 1),
                 "[" + ",".join(["1"] * MAX_VALUES) + "]"]:
        try:
            parse_json(text, "f.json")
        except yamlsource.DataFileError as exc:
            assert "deep" in exc.problem or "more than" in exc.problem
        else:
            raise AssertionError(text[:80])
    wide = "[" + ",".join(["1"] * (MAX_VALUES - 1)) + "]"
    assert len(parse_json(wide, "f.json")) == MAX_VALUES - 1
