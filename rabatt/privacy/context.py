"""Template context: the visitor's cookie choice (see rabatt.privacy.cookies)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rabatt.privacy.cookies import cookie_choice


def cookie_consent(request: HttpRequest) -> dict[str, Any]:
    return {"cookie_consent": cookie_choice(request)}
