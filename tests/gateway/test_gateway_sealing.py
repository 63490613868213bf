"""Sealing: MultiFernet rotation, both key forms, and blobs that must not open."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from audible_gateway.sealing import InvalidKeyError
from audible_gateway.sealing import Sealer
from audible_gateway.sealing import SealError
from audible_gateway.sealing import parse_key
from audible_gateway.sealing import parse_keys


def test_a_64_hex_key_is_its_32_raw_bytes():
    hex_key = "0f" * 32
    key = parse_key(hex_key)
    assert base64.urlsafe_b64decode(key) == bytes.fromhex(hex_key)
    Fernet(key)


@pytest.mark.parametrize("bad", ["", "abc", "zz" * 32, "ab" * 31, "!" * 44])
def test_malformed_keys_are_refused(bad):
    with pytest.raises(InvalidKeyError):
        parse_keys(bad)


def test_newest_key_seals_and_old_keys_still_open():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = Sealer((old,)).seal("thing", {"n": 1})
    rotated = Sealer((new, old))
    opened = rotated.open(token, "thing")
    assert opened.data == {"n": 1}
    assert opened.stale
    resealed = rotated.seal("thing", opened.data)
    assert Sealer((new,)).open(resealed, "thing").stale is False


def test_foreign_corrupt_and_wrong_kind_tokens_do_not_open():
    sealer = Sealer((Fernet.generate_key(),))
    foreign = Sealer((Fernet.generate_key(),)).seal("thing", {})
    token = sealer.seal("thing", {"a": 1})
    for bad in (foreign, token[:-4] + "AAAA", "not a token", "", None, 42):
        with pytest.raises(SealError):
            sealer.open(bad, "thing")
    with pytest.raises(SealError, match="not a sealed other"):
        sealer.open(token, "other")


def test_expired_tokens_do_not_open():
    key = Fernet.generate_key()
    sealer = Sealer((key,))
    old = Fernet(key).encrypt_at_time(b'{"v":1,"kind":"state","data":{}}', 1_000_000).decode()
    with pytest.raises(SealError):
        sealer.open(old, "state", ttl=60)
    assert sealer.open(old, "state").data == {}


def test_self_test_round_trips():
    assert Sealer((Fernet.generate_key(),)).self_test()
