"""TOTP (RFC 6238) and recovery codes: the RFCs' own test vectors, the window, replay."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from trialdesk.trial.accounts import recovery_codes, totp

# RFC 6238 Appendix B: the seeds are ASCII digits, 20, 32 and 64 bytes long.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
APPENDIX_B = [  # time (s), SHA1, SHA256, SHA512 (8 digits, 30-second steps)
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
# RFC 4226 Appendix D: HOTP with the SHA1 seed, counters 0 to 9, 6 digits (TOTP is HOTP
# with the time step as the counter).
APPENDIX_D = ["755224", "287082", "359152", "969429", "338314",
              "254676", "287922", "162583", "399871", "520489"]  # fmt: skip


def _b32(seed: bytes) -> str:
    return base64.b32encode(seed).decode()


@pytest.mark.parametrize(("seconds", "sha1", "sha256", "sha512"), APPENDIX_B)
def test_rfc6238_appendix_b(seconds: int, sha1: str, sha256: str, sha512: str) -> None:
    step = totp.step_of(datetime.fromtimestamp(seconds, UTC))
    assert step == seconds // 30
    for name, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        digest = getattr(hashlib, name)
        assert totp.code_at(_b32(SEEDS[name]), step, digits=8, digest=digest) == expected, name


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(APPENDIX_D)))
def test_rfc4226_appendix_d(counter: int, expected: str) -> None:
    assert totp.code_at(_b32(SEEDS["sha1"]), counter) == expected


NOW = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
SECRET = totp.new_secret()


def test_a_new_secret_is_160_bits_of_base32() -> None:
    assert len(base64.b32decode(SECRET)) == 20
    assert totp.new_secret() != SECRET


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_either_side_is_accepted(offset: int) -> None:
    step = totp.step_of(NOW) + offset
    assert totp.matching_step(SECRET, totp.code_at(SECRET, step), NOW) == step


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_further_steps_are_refused(offset: int) -> None:
    step = totp.step_of(NOW) + offset
    code = totp.code_at(SECRET, step)
    near = {totp.code_at(SECRET, totp.step_of(NOW) + d) for d in (-1, 0, 1)}
    if code in near:  # one chance in a few hundred thousand: the same digits nearby
        pytest.skip("the code of that step happens to equal a nearby one")
    assert totp.matching_step(SECRET, code, NOW) is None


def test_a_code_is_accepted_once_replay_refused() -> None:
    step = totp.step_of(NOW)
    code = totp.code_at(SECRET, step)
    accepted = totp.matching_step(SECRET, code, NOW)
    assert accepted == step
    assert totp.matching_step(SECRET, code, NOW, after=accepted) is None  # the same again
    earlier = totp.code_at(SECRET, step - 1)  # an older code, still in the window
    assert totp.matching_step(SECRET, earlier, NOW, after=accepted) is None
    later, next_step = totp.code_at(SECRET, step + 1), NOW + timedelta(seconds=30)
    assert totp.matching_step(SECRET, later, next_step, after=accepted) == step + 1


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "１２３４５６"])
def test_malformed_codes_match_nothing(typed: str) -> None:
    assert totp.matching_step(SECRET, typed, NOW) is None


def test_spaces_and_dashes_typed_with_a_code_are_ignored() -> None:
    code = totp.code_at(SECRET, totp.step_of(NOW))
    assert totp.matching_step(SECRET, f" {code[:3]} {code[3:]} ", NOW) is not None
    assert totp.matching_step(SECRET, f"{code[:3]}-{code[3:]}", NOW) is not None


def test_the_provisioning_uri_names_the_account_and_the_defaults() -> None:
    uri = totp.provisioning_uri(SECRET, account="carol", issuer="trialdesk")
    assert uri.startswith("otpauth://totp/trialdesk:carol?")
    assert f"secret={SECRET}" in uri and "issuer=trialdesk" in uri


def test_recovery_codes_are_random_hashed_and_used_once() -> None:
    codes = recovery_codes.new_codes()
    assert len(codes) == len(set(codes)) == recovery_codes.COUNT
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)
    stored = recovery_codes.hashed(codes)
    assert not any(c in str(stored) or c.replace("-", "") in str(stored) for c in codes)
    assert recovery_codes.left(stored) == 10
    after = recovery_codes.use(stored, codes[3].upper().replace("-", " "), NOW)
    assert after is not None and recovery_codes.left(after) == 9
    assert recovery_codes.use(after, codes[3], NOW) is None  # once only
    assert recovery_codes.use(after, "aaaa-aaaa-aaaa-aaaa", NOW) is None
    assert recovery_codes.use(after, "", NOW) is None
