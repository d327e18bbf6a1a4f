"""Fail when the Simplified Chinese catalogue misses a string or its compiled file is stale.

Checks, for each domain (django, djangojs): the .po file has no untranslated and no fuzzy
entries, every msgid found in the source by makemessages is in the .po file (run in a
temporary copy, so the working tree is not touched), and the committed .mo file holds exactly
the .po file's translations.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
IGNORE = [".venv", ".tools", "static/vendor", "var", "bench", "tests", "node_modules"]


def fresh_msgids(domain: str) -> set[str]:
    """The msgids makemessages extracts from the source now (needs GNU gettext)."""
    if shutil.which("xgettext") is None:
        print("note: GNU gettext is not installed, skipping the check against the source")
        return set()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(".venv", ".tools", "var", ".git", "node_modules"),
            symlinks=True,
        )
        args = [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-d", domain]
        for pattern in IGNORE:
            args += ["--ignore", pattern]
        subprocess.run(args, cwd=copy, check=True, capture_output=True)
        po = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))
        return {entry.msgid for entry in po if not entry.obsolete}


def main() -> int:
    problems: list[str] = []
    for domain in ("django", "djangojs"):
        po_path = LOCALE / f"{domain}.po"
        if not po_path.exists():
            if domain == "django":
                problems.append(f"{po_path.relative_to(ROOT)} is missing")
            continue
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{domain}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{domain}: untranslated: {entry.msgid!r}")
        known = {entry.msgid for entry in po if not entry.obsolete}
        for msgid in sorted(fresh_msgids(domain) - known):
            problems.append(f"{domain}: not in the catalogue: {msgid!r}")
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists():
            problems.append(f"{mo_path.relative_to(ROOT)} is missing: run make messages")
        else:
            mo = polib.mofile(str(mo_path))
            compiled = {
                (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
            }
            source = {
                (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                for e in po
                if e.translated() and not e.obsolete and "fuzzy" not in e.flags
            }
            if compiled != source:
                problems.append(f"{mo_path.relative_to(ROOT)} is stale: run make messages")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problems")
        return 1
    print("the Chinese translation is complete and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
