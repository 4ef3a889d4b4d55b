from app.security import (
    capability_token,
    hash_password,
    normalise_code,
    personal_code,
    token_hash,
    verify_password,
)


def test_tokens_are_128_bit_and_change_with_the_nonce() -> None:
    a = capability_token("k" * 40, "join", 1, "n1")
    assert len(a) == 22  # 16 bytes, base64url without padding
    assert a == capability_token("k" * 40, "join", 1, "n1")
    assert a != capability_token("k" * 40, "join", 1, "n2")
    assert a != capability_token("k" * 40, "projector", 1, "n1")
    assert token_hash(a) != a and len(token_hash(a)) == 64


def test_personal_codes_tolerate_typing() -> None:
    code = personal_code("k" * 40, 3, "n")
    assert len(code) == 8
    assert normalise_code(f" {code[:4].lower()}-{code[4:]} ") == code


def test_passwords() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2")
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "wrong")
    assert not verify_password("garbage", "x")


def test_same_token_accepts_any_text() -> None:
    from app.security import same_token

    assert same_token("abc", "abc")
    assert not same_token("abc", "æøå")  # a forged non-ASCII header is refused, not a crash
    assert not same_token(None, "x") and not same_token("", "")
