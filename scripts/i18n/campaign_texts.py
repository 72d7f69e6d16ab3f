"""Add translations to a campaign file's text maps, keeping its comments and layout.

    python scripts/i18n/campaign_texts.py CAMPAIGN.yaml TRANSLATIONS.json [--after nb]

TRANSLATIONS.json maps a language to {text path: text}, the paths that the campaign loader
names in its "no text in ..." problems (``content/faq/who/answer``). A path left out of a
language copies the English text (names of products are the same everywhere). Each new
language is written right after the ``--after`` language of every text map.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _yaml_text(text: str, indent: str) -> str:
    if "\n" in text:
        body = "\n".join(f"{indent}  {line}" if line else "" for line in text.split("\n"))
        return f"|-\n{body}"
    return json.dumps(text, ensure_ascii=False)


def add_languages(source: str, maps: list[tuple[str, dict[str, str]]],
                  translations: dict[str, dict[str, str]], after: str) -> str:
    """Return the campaign file with every text map extended by the new languages."""
    lines = source.split("\n")
    out: list[str] = []
    queue = [(path, texts) for path, texts in maps if after in texts]
    key = re.compile(rf"(^\s*|[{{,]\s*){after}: ")
    index = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        match = key.search(line)
        if not match or index >= len(queue):
            out.append(line)
            i += 1
            continue
        path, texts = queue[index]
        index += 1
        new = {lang: tr.get(path) or texts["en"] for lang, tr in translations.items()
               if lang not in texts}
        if match.group(1).strip() in {"{", ","}:
            # Flow style: {en: ..., nb: ...}; the map closes at the first "}" after nb's value.
            start = match.end()
            value = re.match(r'"(?:[^"\\]|\\.)*"|[^,}]*', line[start:])
            assert value is not None
            end = start + value.end()
            extra = "".join(f", {lang}: {json.dumps(text, ensure_ascii=False)}"
                            for lang, text in new.items())
            out.append(line[:end] + extra + line[end:])
            i += 1
            continue
        # Block style: "nb: value" or "nb: |-" followed by more-indented lines.
        indent = line[:len(line) - len(line.lstrip())]
        out.append(line)
        i += 1
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
            if not lines[i].strip() and (i + 1 >= len(lines) or
                                         len(lines[i + 1]) - len(lines[i + 1].lstrip())
                                         <= len(indent)):
                break
            out.append(lines[i])
            i += 1
        for lang, text in new.items():
            out.append(f"{indent}{lang}: {_yaml_text(text, indent)}")
    assert index == len(queue), f"found {index} of {len(queue)} text maps"
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """Rewrite the campaign file in place and check that every text arrived."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument("translations", type=Path)
    parser.add_argument("--after", default="nb")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from rabatt.campaigns.campaign_file import _text_maps, language_gaps, parse_yaml

    source = args.campaign.read_text(encoding="utf-8")
    translations: dict[str, dict[str, str]] = json.loads(args.translations.read_text("utf-8"))
    before: Any = parse_yaml(source)
    result = add_languages(source, _text_maps(before, ""), translations, args.after)
    after: Any = parse_yaml(result)
    for path, texts in _text_maps(after, ""):
        for lang, tr in translations.items():
            wanted = tr.get(path)
            if wanted and texts.get(lang) != wanted:
                raise SystemExit(f"{path}: {lang} came out as {texts.get(lang)!r}")
    args.campaign.write_text(result, encoding="utf-8")
    for problem in language_gaps(after):
        print(problem)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
