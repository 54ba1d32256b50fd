"""Password hashing with Argon2id (memory-hard), parameters upgraded transparently on login."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# Production strength: RFC 9106's second recommended option (64 MiB, 3 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=2)
# Tests hash hundreds of passwords; a weak profile there keeps the suite fast and is never used
# outside APP_ENV=testing.
_test_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_active = _hasher

# Verified against when an account does not exist, so timing does not tell who has one.
_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    key = id(_active)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _active.hash("not a real password")
    return _dummy_hashes[key]


def use_test_profile(enabled: bool) -> None:
    global _active
    _active = _test_hasher if enabled else _hasher


def hash_password(password: str) -> str:
    return _active.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _active.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _active.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
