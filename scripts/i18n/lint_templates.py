"""Find text in templates that is not marked for translation.

    python scripts/i18n/lint_templates.py [TEMPLATE ...]   (default: every template in rabatt/)

Text outside ``{% translate %}``/``{% blocktranslate %}`` is a finding: words between HTML
tags, in user-facing attributes (alt, title, placeholder, aria-label, ...), and every word of
a plain-text e-mail template. Names that are the same in every language (ALLOWED) pass.
A template that must stay English starts with ``{# i18n: english-only: <reason> #}``.
Exit status 1 when anything is found.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Attributes a person reads or hears (screen readers read aria-label and alt).
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description",
                   "aria-roledescription", "aria-valuetext", "label", "content"}
# Words that are the same in every language: the product's name and standard identifiers.
ALLOWED = {"Rabatt", "IBAN", "BIC", "SWIFT", "BSB", "ABA", "API", "PDF", "ZIP", "CSV", "JSON",
           "URL", "QR", "SEPA", "GDPR", "OK", "TOTP", "MFA", "HTTP", "ID", "OpenAPI", "Esc",
           "SHA"}
WORD = re.compile(r"[^\W\d_][^\W\d_'’-]+")
HOLE = " "  # stands for a Django tag or variable in the flattened template
# Links and paths (``?reference=``, ``rabatt/*/datamap.py``) are not prose.
URLISH = re.compile(r"\S*[/?=&]\S*")
# <meta content=...> only matters for description-like names; the rest are machine values.
META_TEXT = {"description", "og:title", "og:description", "twitter:title"}


@dataclass(frozen=True)
class Finding:
    """One piece of untranslated text."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: not marked for translation: {self.text!r}"


def words(text: str) -> list[str]:
    """Return the words in ``text`` that would need translating."""
    text = URLISH.sub(" ", re.sub(r"&[#\w]+;", " ", text))
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def flatten(source: str) -> list[tuple[str, int]]:
    """Return the template's literal text with every tag, variable and translated block as HOLE.

    Each piece comes with the line it starts on.
    """
    from django.template.base import Lexer, TokenType

    pieces: list[tuple[str, int]] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            # Keep the line breaks so later line numbers stay right.
            pieces.append((HOLE + "\n" * token.contents.count("\n"), token.lineno))
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append((token.contents, token.lineno))
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            ends = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans",
                    "comment": "endcomment", "verbatim": "endverbatim"}
            skip_until = ends.get(name)
        pieces.append((HOLE, token.lineno))
    return pieces


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[str, int]] = []
        self.hidden = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.hidden += 1
        named = dict(attrs)
        for name, value in attrs:
            if name not in READ_ATTRIBUTES or not value:
                continue
            if tag == "meta" and name == "content" and named.get("name") not in META_TEXT:
                continue
            if words(value):
                self.found.append((value, self.getpos()[0]))
        if tag == "input" and named.get("type") in {"submit", "button", "reset"}:
            value = named.get("value") or ""
            if words(value):
                self.found.append((value, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and words(data):
            self.found.append((data.strip(), self.getpos()[0]))


# A template that must stay in one language says so, with the reason, in its first comment.
EXEMPT = re.compile(r"\{#\s*i18n:\s*english-only:\s*\S.*?#\}")


def lint_source(source: str, path: Path) -> list[Finding]:
    """Return the untranslated text of one template."""
    if EXEMPT.match(source):
        return []
    pieces = flatten(source)
    text = "".join(piece for piece, _line in pieces)
    if path.suffix == ".html":
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        found = parser.found
    else:
        found = []
        for piece, line in pieces:
            if words(piece):
                found.append((piece.strip(), line))
    return [Finding(path, line, " ".join(snippet.split()))
            for snippet, line in found]


def templates() -> list[Path]:
    """Return every template of the project."""
    return sorted(p for p in (ROOT / "rabatt").rglob("templates/**/*")
                  if p.suffix in {".html", ".txt"} and "tests" not in p.parts)


def lint(paths: list[Path] | None = None) -> list[Finding]:
    """Lint the given templates (default: all of them)."""
    findings: list[Finding] = []
    for path in paths or templates():
        findings.extend(lint_source(path.read_text(encoding="utf-8"), path))
    return findings


def main(argv: list[str]) -> int:
    """Print every finding; return 1 when there is any."""
    findings = lint([Path(a).resolve() for a in argv] or None)
    for finding in findings:
        print(finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
