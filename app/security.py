"""Secrets: password hashes and rules, capability tokens for join and projector links, CSRF
tokens."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from facilitation.messages import N_, Message

_hasher = PasswordHasher()
# Unambiguous upper-case letters and digits for codes people type (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PERSONAL_CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 per member, and the manual form is rate-limited


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password(password_hash: str | None, password: str) -> bool:
    """Verify against the account's hash or, for an account that does not exist, against a
    dummy hash of the same cost: both answers take as long, so timing tells no one which
    e-mail addresses have accounts."""
    if password_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(password_hash, password)


MIN_PASSWORD = 10
MIN_STRENGTH = 3  # zxcvbn's score 0–4: 3 = "safely unguessable", ~10^8 guesses or more


def password_problem(password: str, *known: str) -> Message | None:
    """Why ``password`` may not be used, or None. Too short, or too easy to guess: zxcvbn
    (Dropbox's estimator) knows the 30,000 commonest passwords of leaked password lists,
    common words and names, keyboard patterns, dates and l33t spellings; ``known`` are words
    it should also count as easy (the e-mail address, the person's name)."""
    if len(password) < MIN_PASSWORD:
        return N_("use a password of at least %(count)s characters", count=MIN_PASSWORD)
    from zxcvbn import zxcvbn

    words = [w for text in known for w in [text, *re.split(r"\W+", text)] if w]
    if zxcvbn(password[:100], user_inputs=words)["score"] < MIN_STRENGTH:
        return N_(
            "this password is too common or too easy to guess: use a longer one, e.g. a few "
            "unrelated words"
        )
    return None


def new_nonce() -> str:
    return secrets.token_hex(16)


def _mac(secret_key: str, *parts: object) -> bytes:
    message = "|".join(str(p) for p in parts).encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).digest()


def capability_token(secret_key: str, purpose: str, subject_id: int, nonce: str) -> str:
    """A 128-bit URL-safe token derived from the secret, so join cards can be reprinted;
    rotating ``nonce`` revokes it."""
    raw = _mac(secret_key, purpose, subject_id, nonce)[:16]
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_hash(token: str) -> str:
    """What the database stores and looks up: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def personal_code(secret_key: str, member_id: int, nonce: str) -> str:
    """The short code printed on a join card for typing in by hand."""
    digest = _mac(secret_key, "personal-code", member_id, nonce)
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(PERSONAL_CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def normalise_code(text: str) -> str:
    """Accept codes typed with spaces, dashes or lower case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_assembly_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time comparison; any text (also non-ASCII from a forged header) is safe."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())
