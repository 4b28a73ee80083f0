"""The knowledge cache is data, never code: read back only into the model's own types,
checked against its key and digest, only from a folder no one else can write."""

import binascii
import io
import json
import os
import pickle
import stat
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT
from expert.kb import cachefile
from expert.kb.loader import load_knowledge
from expert.language.model import KnowledgeBase


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TWITCHDX_CACHE", str(folder))
    return folder


def entry(folder):
    found = list(folder.glob("kb-*.cache"))
    assert len(found) == 1, found
    return found[0]


def test_an_entry_is_private_to_the_user(cache):
    kb = load_knowledge()
    path = entry(cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    head = path.read_bytes().partition(b"\n")[0]
    assert json.loads(head)["key"] == path.stem
    again = load_knowledge()
    assert again.rules == kb.rules and again.fingerprint == kb.fingerprint


class Planted:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['PLANTED_MARK']}",))


@pytest.mark.parametrize("mode", [0o755, 0o711, 0o750])
def test_an_older_readable_folder_of_the_user_is_closed_and_used(cache, mode):
    cache.mkdir(mode=mode)
    cache.chmod(mode)
    load_knowledge()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and entry(cache).exists()


def test_a_cache_folder_is_made_with_its_parents(tmp_path, monkeypatch):
    folder = tmp_path / "not" / "there" / "yet"
    monkeypatch.setenv("TWITCHDX_CACHE", str(folder))
    load_knowledge()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and entry(folder).exists()


def test_a_folder_of_someone_else_or_none_is_not_private(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    assert cachefile.private_folder(folder)
    monkeypatch.setattr(cachefile.os, "getuid", lambda: folder.stat().st_uid + 1)
    assert cachefile.private_folder(folder) is False  # the user's, not this user's
    monkeypatch.undo()
    (tmp_path / "a-file").write_text("")
    assert cachefile.private_folder(tmp_path / "a-file" / "cache") is False


def test_an_entry_without_every_field_is_a_miss(kb, monkeypatch):
    """Not even one the base could default (its calm texts): never read by guessing."""
    monkeypatch.setattr(cachefile, "FIELDS", tuple(f for f in cachefile.FIELDS if f != "calm"))
    short = cachefile.dumps(kb, "k")
    monkeypatch.undo()
    assert cachefile.loads(short, "k") is None


def test_a_pickle_planted_in_the_cache_is_never_run(cache, tmp_path, monkeypatch):
    load_knowledge()
    path = entry(cache)
    mark = tmp_path / "pwned"
    monkeypatch.setenv("PLANTED_MARK", str(mark))
    planted = pickle.dumps(Planted())
    path.write_bytes(_sealed(planted, path.stem))  # with the right key and checksum
    for older in (".pickle", ".json"):  # entries of older formats
        path.with_suffix(older).write_bytes(planted)
    env = {**os.environ, "TWITCHDX_CACHE": str(cache)}
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "consult", "--answers",
                           str(EXAMPLES / "eyelid-coffee.yaml"), "--format", "json",
                           "--no-history"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert not mark.exists()
    assert json.loads(done.stdout)["referral"]["level"] == "self_care"
    assert not path.with_suffix(".pickle").exists()  # older entries are swept away
    assert not path.with_suffix(".json").exists()


def _edit_a_rule(path, keep_digest: bool):
    """The entry with mg-ppi-long-term's magnesium certainty 0.99: resealed (an entry
    someone else could plant) or not (a damaged one)."""
    data = path.read_bytes()
    kb = cachefile.loads(data, path.stem)
    rules = tuple(r._replace(then=r.then._replace(hypotheses=(("magnesium", 0.99),)))
                  if r.id == "mg-ppi-long-term" else r for r in kb.rules)
    edited = cachefile.dumps(_with(kb, rules=rules), path.stem)
    if keep_digest:
        edited = data[:data.index(b"\n")] + edited[edited.index(b"\n"):]
    path.write_bytes(edited)


def _with(kb, **changes):
    return KnowledgeBase(**{name: changes.get(name, getattr(kb, name))
                            for name in cachefile.FIELDS})


def test_an_edited_or_truncated_entry_is_rebuilt_not_served(cache):
    load_knowledge()
    path = entry(cache)
    _edit_a_rule(path, keep_digest=True)
    kb = load_knowledge()
    assert dict(kb.rules_by_id["mg-ppi-long-term"].then.hypotheses)["magnesium"] == 0.3
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert dict(load_knowledge().rules_by_id["mg-ppi-long-term"].then.hypotheses)[
        "magnesium"] == 0.3


def test_a_folder_others_can_write_is_neither_read_nor_written(cache):
    load_knowledge()
    path = entry(cache)
    _edit_a_rule(path, keep_digest=False)  # a consistent entry someone else could plant
    cache.chmod(0o777)
    try:
        kb = load_knowledge()
        assert dict(kb.rules_by_id["mg-ppi-long-term"].then.hypotheses)["magnesium"] == 0.3
        before = path.read_bytes()
        path.unlink()
        load_knowledge()
        assert not path.exists()  # nothing written into a shared folder
        path.write_bytes(before)
    finally:
        cache.chmod(0o700)
    served = load_knowledge()  # the user's own folder: the entry is theirs, and is used
    assert dict(served.rules_by_id["mg-ppi-long-term"].then.hypotheses)["magnesium"] == 0.99


def _sealed(payload: bytes, key: str = "k") -> bytes:
    """A cache entry of ``payload`` with the right header: what only the folder's owner
    could write."""
    header = json.dumps({"twitchdx_cache": cachefile.FORMAT, "key": key,
                         "crc32": binascii.crc32(payload)}).encode()
    return header + b"\n" + payload


@pytest.mark.parametrize("payload", [
    b"cos\nsystem\n(S'touch {mark}'\ntR.",  # a function
    b"cposix\nsystem\n(S'touch {mark}'\ntR.",
    b"csubprocess\nPopen\n((S'touch'\nS'{mark}'\nltR.",
    b"cbuiltins\n__import__\n(S'os'\ntR.",
    b"cexpert.language.model\nKnowledgeBase\n)R.",  # of the model, but not a NamedTuple
    b"cexpert.language.conditions\nAsk\n(I1\ntR.",  # a NamedTuple: never its constructor
    b"cexpert.kb.cachefile\n_made\n(S'Ask'\n(I1\nttR.",  # too few fields
    b"cexpert.kb.cachefile\n_made\n(S'KnowledgeBase'\n)tR.",  # not one of the model's
    b"cexpert.kb.cachefile\n_made\n(S'Ask'\n(lp0\ntR.",  # fields not a tuple
    b"cexpert.kb.cachefile\nTYPES\n.",  # the maker's module, but not the maker
    b"(lp0\n.",  # not the base's arguments
    b"(dp0\nS'manifests'\n)s.",
    b"\x80\x05K\x01.",
])
def test_a_payload_naming_anything_else_is_a_miss_and_runs_nothing(payload, tmp_path):
    mark = tmp_path / "pwned"
    entry_ = _sealed(payload.replace(b"{mark}", str(mark).encode()))
    assert cachefile.loads(entry_, "k") is None
    assert not mark.exists()


def test_an_entry_calls_nothing_but_the_maker_of_the_models_types(kb):
    """What dumps writes names one function, which makes the model's NamedTuples."""
    named, made = [], set()

    class Recording(pickle.Unpickler):
        def find_class(self, module, name):
            named.append((module, name))
            return lambda kind, fields: made.add(kind) or cachefile._made(kind, fields)

    payload = cachefile.dumps(kb, "k").partition(b"\n")[2]
    Recording(io.BytesIO(payload)).load()
    assert set(named) == {("expert.kb.cachefile", "_made")}
    assert made <= set(cachefile.TYPES) and {"RuleDef", "Question", "Ask"} <= made


def test_a_value_of_the_model_is_read_only_as_dumps_writes_it(kb):
    """A NamedTuple with a field missing is a miss: never read by guessing what it was."""
    rule = kb.rules[0]
    short = tuple.__new__(type(rule), tuple(rule)[:-1])
    assert cachefile.loads(cachefile.dumps(_with(kb, rules=(short, *kb.rules[1:])), "k"),
                           "k") is None
    assert cachefile.loads(cachefile.dumps(kb, "k"), "k").rules == kb.rules


def test_the_key_must_match(kb):
    assert cachefile.loads(cachefile.dumps(kb, "one"), "other") is None
    assert cachefile.loads(cachefile.dumps(kb, "one"), "one").rules == kb.rules


def test_each_text_is_kept_once_and_reads_back_the_same(kb):
    shared = cachefile.loads(cachefile.dumps(kb, "k"), "k")
    assert [f for f in cachefile.FIELDS if getattr(shared, f) != getattr(kb, f)] == []
    first, second = shared.rules[0], shared.rules[1]
    assert first.status == second.status and first.status is second.status
    assert first.lines[0][0] is second.lines[0][0]  # "id", in their tables of lines


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(data=st.data())
def test_fuzzed_entries_never_raise_and_never_pass_unchecked(kb, data):
    good = cachefile.dumps(kb, "k")
    cut = data.draw(st.integers(0, len(good) - 1))
    mutation = data.draw(st.sampled_from(["flip", "cut", "insert", "header"]))
    if mutation == "flip":
        broken = good[:cut] + bytes([good[cut] ^ data.draw(st.integers(1, 255))]) + \
            good[cut + 1:]
    elif mutation == "cut":
        broken = good[:cut]
    elif mutation == "insert":
        broken = good[:cut] + data.draw(st.binary(min_size=1, max_size=20)) + good[cut:]
    else:
        broken = data.draw(st.binary(max_size=200)) + good[good.index(b"\n"):]
    loaded = cachefile.loads(broken, "k")  # never raises
    if broken != good:
        head = good[:good.index(b"\n")]
        if broken.startswith(head + b"\n"):  # the digest guards the payload
            assert loaded is None
        else:
            assert loaded is None or loaded.rules == kb.rules


def _round_trip(value):
    payload = pickle.dumps(cachefile._shared(value, {}), protocol=5)
    return cachefile._MadeOnly(io.BytesIO(payload)).load()


class _Text(str):
    pass


class _Number(int):
    pass


@pytest.mark.parametrize("value", [
    (("a", True), ("b", 1), ("c", 1.0), ("d", None), ("e", "x")),  # types kept: True != 1.0
    (("a", ("nested",)), ("b", 2)),
    {"k": ({"n": (1, 2.5)},)},
    (),
])
def test_values_read_back_as_written(value):
    back = _round_trip(value)
    assert back == value and repr(back) == repr(value)


def test_a_subclass_of_text_or_number_is_kept_as_the_plain_one():
    back = _round_trip((_Text("hazard"), _Number(3)))
    assert back == ("hazard", 3) and [type(v) for v in back] == [str, int]


@pytest.mark.parametrize("value", [["a list"], {"a set"}, b"bytes", object()])
def test_what_the_base_never_holds_is_never_cached(value):
    with pytest.raises(TypeError, match="cannot cache"):
        cachefile._shared((value,), {})
