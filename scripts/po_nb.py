"""Fill Norwegian Bokmål translations into rabatt/locale/nb from scripts/nb.tsv and compile.

The TSV has one ``English<TAB>Bokmål`` pair per line; plural forms use ``||`` between forms.
Run after ``rabatt makemessages -l nb``; it reports every string still untranslated.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "rabatt" / "locale" / "nb" / "LC_MESSAGES" / "django.po"
TSV = ROOT / "scripts" / "nb.tsv"


def main() -> int:
    pairs = {}
    for line in TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            en, nb = line.split("\t", 1)
            pairs[en] = nb
    po = polib.pofile(str(PO))
    po.metadata["Language"] = "nb"
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        key = entry.msgid if not entry.msgid_plural else f"{entry.msgid}||{entry.msgid_plural}"
        nb = pairs.get(key)
        if "fuzzy" in entry.flags:
            # makemessages' fuzzy guesses are often another sentence: never ship them.
            entry.flags.remove("fuzzy")
            if nb is None:
                entry.msgstr = ""
                entry.msgstr_plural = {0: "", 1: ""} if entry.msgid_plural else {}
        if nb is None:
            missing.append(key)
            continue
        if entry.msgid_plural:
            one, other = nb.split("||")
            entry.msgstr_plural = {0: one, 1: other}
        else:
            entry.msgstr = nb
    po.save(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for key in missing:
        print(f"untranslated: {key}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
