"""The knowledge cache is data, never code: JSON read back into the model's own types,
checked against its key and digest, only from a folder no one else can write."""

import binascii
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


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("TWITCHDX_CACHE", str(folder))
    return folder


def entry(folder):
    found = list(folder.glob("kb-*.json"))
    assert len(found) == 1, found
    return found[0]


def test_an_entry_is_json_private_to_the_user(cache):
    kb = load_knowledge()
    path = entry(cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    head, _, payload = path.read_bytes().partition(b"\n")
    assert json.loads(head)["key"] == path.stem
    json.loads(payload)  # data, whole
    again = load_knowledge()
    assert again.rules == kb.rules and again.fingerprint == kb.fingerprint


class Planted:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['PLANTED_MARK']}",))


def test_an_older_readable_folder_of_the_user_is_closed_and_used(cache):
    cache.mkdir(mode=0o755)
    cache.chmod(0o755)
    load_knowledge()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and entry(cache).exists()


def test_a_pickle_planted_in_the_cache_is_never_run(cache, tmp_path, monkeypatch):
    load_knowledge()
    path = entry(cache)
    mark = tmp_path / "pwned"
    monkeypatch.setenv("PLANTED_MARK", str(mark))
    for target in (path, path.with_suffix(".pickle")):
        target.write_bytes(pickle.dumps(Planted()))
    env = {**os.environ, "TWITCHDX_CACHE": str(cache)}
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "consult", "--answers",
                           str(EXAMPLES / "eyelid-coffee.yaml"), "--format", "json",
                           "--no-history"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert not mark.exists()
    assert json.loads(done.stdout)["referral"]["level"] == "self_care"
    assert not path.with_suffix(".pickle").exists()  # an old-format entry is swept away


def _edit_a_rule(path, keep_digest: bool):
    head, _, payload = path.read_bytes().partition(b"\n")
    edited = payload.replace(b'"mg-ppi-long-term"', b'"mg-ppi-long-term"', 1).replace(
        b'{"p":["magnesium",0.3]}', b'{"p":["magnesium",0.99]}', 1)
    assert edited != payload
    header = json.loads(head)
    if not keep_digest:
        header["crc32"] = binascii.crc32(edited)
    path.write_bytes(json.dumps(header).encode() + b"\n" + edited)


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


@pytest.mark.parametrize("payload", [
    b'{"n":"Popen","f":[["sh","-c","touch x"]]}',
    b'{"n":"__import__","f":["os"]}',
    b'{"d":[["manifests",{"t":[]}]]}',
    b'{"n":"Ask","f":[1,2,3,4,5,6,7,8,9]}',
    b'[1,2,3]',
    b'{"x":1}',
])
def test_a_payload_naming_anything_else_is_a_miss(payload):
    header = json.dumps({"twitchdx_cache": cachefile.FORMAT, "key": "k",
                         "crc32": binascii.crc32(payload)}).encode()
    assert cachefile.loads(header + b"\n" + payload, "k") is None


def _resealed(entry: bytes, old: bytes, new: bytes) -> bytes:
    """A cache entry with its first ``old`` replaced by ``new``, and a checksum to match."""
    payload = entry[entry.index(b"\n") + 1:].replace(old, new, 1)
    header = json.dumps({"twitchdx_cache": cachefile.FORMAT, "key": "k",
                         "crc32": binascii.crc32(payload)}).encode()
    return header + b"\n" + payload


def test_a_value_of_the_model_is_read_only_as_dumps_writes_it(kb):
    """Every field, and "n" before "f": a cache entry is never read by guessing what a
    missing field would be."""
    good = cachefile.dumps(kb, "k")
    assert cachefile.loads(good, "k").rules == kb.rules
    start = good.index(b'{"n":"Ask","f":[')
    end = good.index(b"]}", start) + 2
    ask = json.loads(good[start:end])
    fewer = json.dumps({"n": "Ask", "f": ask["f"][:-1]}, separators=(",", ":")).encode()
    turned = json.dumps({"f": ask["f"], "n": "Ask"}, separators=(",", ":")).encode()
    assert cachefile.loads(_resealed(good, good[start:end], good[start:end]), "k") is not None
    assert cachefile.loads(_resealed(good, good[start:end], fewer), "k") is None
    assert cachefile.loads(_resealed(good, good[start:end], turned), "k") is None


def test_the_key_must_match(kb):
    assert cachefile.loads(cachefile.dumps(kb, "one"), "other") is None
    assert cachefile.loads(cachefile.dumps(kb, "one"), "one").rules == kb.rules


def test_a_large_base_keeps_each_text_once_and_reads_back_the_same(kb, monkeypatch):
    monkeypatch.setattr(cachefile, "SHARED_FROM", 0)  # as if the shipped base were large
    shared = cachefile.loads(cachefile.dumps(kb, "k"), "k")
    assert [f for f in cachefile.FIELDS if getattr(shared, f) != getattr(kb, f)] == []
    first, second = shared.rules[0], shared.rules[1]
    assert first.status == second.status and first.status is second.status
    assert first.lines[0][0] is second.lines[0][0]  # "id", in their tables of lines
    monkeypatch.undo()
    plain = cachefile.loads(cachefile.dumps(kb, "k"), "k")  # small: read the quick way
    assert plain.rules == kb.rules and plain.rules[0].status is not plain.rules[1].status


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


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("value", [
    (("a", True), ("b", 1), ("c", 1.0), ("d", None), ("e", "x")),  # one "p": types kept
    (("a", ("nested",)), ("b", 2)),  # a value that is not a scalar: a "t" of "t"s
    ((1, "a"),),  # a key that is not text
    (("a", 1, 2),),  # not a pair
    (),
])
def test_pairs_read_back_as_written(value, shared):
    encoded = json.dumps(cachefile._encode(value))
    assert ('{"p":' in encoded) == (value != () and all(
        len(v) == 2 and isinstance(v[0], str) and not isinstance(v[1], tuple)
        for v in value))
    back = json.loads(encoded, object_pairs_hook=cachefile._decoder(shared))
    assert back == value and [type(v) for pair in back for v in pair] == [
        type(v) for pair in value for v in pair]


@pytest.mark.parametrize("payload", [b'{"p":["a",1,"b"]}', b'{"p":[1,"a"]}', b'{"p":"ab"}'])
def test_pairs_that_are_not_pairs_are_a_miss(payload):
    with pytest.raises(ValueError):
        json.loads(payload, object_pairs_hook=cachefile._decoder(False))
