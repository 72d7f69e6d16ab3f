"""Codes, API keys and shop orders for tests."""

from __future__ import annotations

import copy
from typing import Any

from rabatt.campaigns.models import Campaign
from rabatt.codes.alphabet import display
from rabatt.codes.models import ApiKey, Code
from rabatt.codes.services import api_key_create, code_issue_one

ORDER: dict[str, Any] = {
    "campaign": "sonos-summer-2019",
    "code": "",
    "order_id": "WEB-1001",
    "country": "NO",
    "currency": "NOK",
    "lines": [{"product": "beam", "price": "4990.00", "quantity": 1}],
    "other_discounts": False,
}


def direct_code(campaign: Campaign, channel: str = "direct") -> Code:
    return code_issue_one(campaign=campaign, channel=channel)


def shop_key(campaign: Campaign, name: str = "webshop") -> tuple[ApiKey, str]:
    return api_key_create(name=name, campaigns=[campaign])


def order(code: Code | str, /, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(ORDER)
    data["code"] = display(code.code) if isinstance(code, Code) else code
    data.update(changes)
    return data


def mistyped(code: Code) -> str:
    """The code with a wrong check character: refused before any lookup."""
    last = code.code[-1]
    return display(code.code[:-1] + ("0" if last != "0" else "1"))
