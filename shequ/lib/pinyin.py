"""Pinyin keys for searching names: full pinyin and initials, lower case, no tones."""

from pypinyin import lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name: 张伟 -> ("zhangwei", "zw").

    Characters without a reading (rare characters, the middle dot, Latin letters) are kept
    as they are in the full key and contribute their first letter, if any, to the initials.
    """
    syllables = [s for s in lazy_pinyin(name, errors="default") if s.strip() and s != "·"]
    full = "".join(syllables).lower().replace("·", "")
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:200], initials[:64]
