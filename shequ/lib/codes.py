"""Public tracking codes: short, unambiguous, not guessable, with a check character.

12 random characters from an alphabet without 0/O/1/I (32 symbols, 60 bits) and a 13th check
character (Luhn mod 32), so a mistyped code is refused before any lookup.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY = 12


def _check(body: str) -> str:
    n = len(ALPHABET)
    factor = 2
    total = 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return body + _check(body)


def normalise_code(value: str) -> str:
    """Upper-case, without the spaces and dashes people type between groups."""
    return "".join(value.split()).replace("-", "").upper()


def is_valid_code(value: str) -> bool:
    code = normalise_code(value)
    if len(code) != BODY + 1 or any(c not in ALPHABET for c in code):
        return False
    return _check(code[:BODY]) == code[BODY]


def display_code(code: str) -> str:
    """Grouped for reading aloud: ABCD-EFGH-JKLM-N."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
