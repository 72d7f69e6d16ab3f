"""Public campaign pages: the list of live campaigns and each campaign's site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from rabatt.campaigns.models import Campaign, CampaignState, Channel, ProductFlag, translated
from rabatt.campaigns.selectors import campaign_get, campaign_list_live, campaign_rules
from rabatt.core.errors import NotFound
from rabatt.core.formats import UTC_ZONE, local_date
from rabatt.core.i18n import country_name
from rabatt.core.timeutil import utcnow

# The country a visitor most likely lives in, when neither the URL nor the browser says.
LANGUAGE_COUNTRY = {"nb": "NO", "en": "GB", "sv": "SE", "da": "DK", "fi": "FI", "de": "DE",
                    "fr": "FR", "it": "IT", "es": "ES", "nl": "NL", "pl": "PL"}


@dataclass(frozen=True)
class Block:
    """One paragraph or bullet list of campaign text, rendered with auto-escaping."""

    kind: str  # "p" or "ul"
    lines: tuple[str, ...]


def text_blocks(text: str) -> list[Block]:
    """Split plain campaign text into paragraphs (blank lines) and lists ("- " lines)."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        run: list[str] = []
        run_kind = ""
        for line in (raw.strip() for raw in chunk.splitlines()):
            if not line:
                continue
            kind = "ul" if line.startswith("- ") else "p"
            if run and kind != run_kind:
                blocks.append(_block(run_kind, run))
                run = []
            run_kind = kind
            run.append(line[2:].strip() if kind == "ul" else line)
        if run:
            blocks.append(_block(run_kind, run))
    return blocks


def _block(kind: str, lines: list[str]) -> Block:
    # A paragraph's line breaks are only wrapping in the file, not in the text.
    return Block(kind, tuple(lines) if kind == "ul" else (" ".join(lines),))


def content_text(texts: dict[str, str] | None, campaign: Campaign | None = None) -> list[Block]:
    """Return the active language's text of a campaign content field as blocks, its date
    placeholders filled from the campaign's own window (see docs/campaign-file.md)."""
    text = translated(texts)
    if campaign is not None:
        text = campaign_dates_fill(text, campaign)
    return text_blocks(text)


def campaign_dates_fill(text: str, campaign: Campaign) -> str:
    """Replace ``{first_day}``, ``{last_day}`` and ``{claims_last_day}`` with the window's days
    in the active language, so a shifted copy of a campaign says what it does."""
    minute = timedelta(minutes=1)
    days = {
        "{first_day}": campaign.purchase_starts_at,
        "{last_day}": campaign.purchase_ends_before - minute,
        "{claims_last_day}": campaign.claims_end_before - minute,
    }
    for placeholder, moment in days.items():
        if placeholder in text:
            # The terms state the window in GMT: the days are GMT days too.
            text = text.replace(placeholder, local_date(moment, UTC_ZONE))
    return text


def _terms_day(value: Any) -> str:
    """The terms' "updated" day in the viewer's language; a text that is no day, as written."""
    if not value:
        return ""
    try:
        return local_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def campaign_countries(campaign: Campaign) -> list[tuple[str, str, str]]:
    """Return (code, name in the active language, currency) of every country, sorted by name."""
    rules = campaign_rules(campaign=campaign)
    return sorted(((code, country_name(code), cur) for code, cur in rules.currencies.items()),
                  key=lambda row: row[1])


def visitor_country(request: HttpRequest, campaign: Campaign) -> str:
    """Pick the country to show: ?country=, then the browser's region, then the language."""
    currencies = campaign_rules(campaign=campaign).currencies
    asked = request.GET.get("country", "").strip().upper()
    if asked in currencies:
        return asked
    for part in request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(","):
        tag = part.split(";")[0].strip()
        if "-" in tag and tag.split("-")[-1].upper() in currencies:
            return tag.split("-")[-1].upper()
    language = (translation.get_language() or "en").split("-")[0]
    fallback = LANGUAGE_COUNTRY.get(language, "")
    return fallback if fallback in currencies else sorted(currencies)[0]


def support_for(campaign: Campaign, country: str) -> list[dict[str, Any]]:
    """Return the support contacts for ``country``, or the fallback ones without countries."""
    entries = (campaign.content or {}).get("support") or []
    chosen = [e for e in entries if country in (e.get("countries") or [])]
    if not chosen:
        chosen = [e for e in entries if not e.get("countries")]
    return [{"email": e.get("email", ""), "phone": e.get("phone", ""),
             "tel": "".join(ch for ch in e.get("phone", "") if ch.isdigit() or ch == "+"),
             "hours": translated(e.get("hours")), "note": translated(e.get("note"))}
            for e in chosen]


def _campaign_or_404(slug: str) -> Campaign:
    try:
        return campaign_get(slug=slug)
    except NotFound:
        raise Http404 from None


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/home.html", {"campaigns": campaign_list_live()})


def site(request: HttpRequest, slug: str) -> HttpResponse:
    """Show a campaign's site: steps, products, retailers, terms, FAQ and support."""
    campaign = _campaign_or_404(slug)
    rules = campaign_rules(campaign=campaign)
    content = campaign.content or {}
    country = visitor_country(request, campaign)
    currency = rules.currencies[country]
    products = {p.code: p for p in campaign.products.all()}
    channels = []
    for code, info in sorted(rules.channels.items(), key=lambda kv: kv[0] != Channel.RETAILER):
        qualifying = [p for p in products.values() if info.qualifies(rules.products[p.code])]
        channels.append({
            "code": code,
            "label": Channel(code).label,
            "intro": content_text((content.get("channels") or {}).get(code), campaign),
            "all_products": info.all_products,
            "excluded": [ProductFlag(f).label for f in sorted(info.excluded_flags)
                         if f in ProductFlag.values],
            "products": [] if info.all_products else qualifying,
            "cap": info.caps.get(currency),
        })
    now = utcnow()
    terms = content.get("terms") or {}
    context = {
        "campaign": campaign,
        "intro": content_text(content.get("intro"), campaign),
        "steps": [{"title": translated(s.get("title")),
                   "text": content_text(s.get("text"), campaign)}
                  for s in content.get("steps") or []],
        "channels": channels,
        "country": country,
        "country_label": country_name(country),
        "currency": currency,
        "countries": campaign_countries(campaign),
        "retailers": [{"name": r.name, "website": r.website if r.website.startswith(
            ("https://", "http://")) else ""} for r in campaign.retailers.filter(country=country)],
        "terms_version": str(terms.get("version") or "1"),
        "terms_updated": _terms_day(terms.get("updated")),
        "terms": content_text(terms.get("text"), campaign),
        "faq": [{"id": item.get("id") or f"q{i}", "question": translated(item.get("question")),
                 "answer": content_text(item.get("answer"), campaign)}
                for i, item in enumerate(content.get("faq") or [], start=1)],
        "support": support_for(campaign, country),
        # Paused: what was sent goes on; the page says so and offers no new claim.
        "paused": campaign.state == CampaignState.PAUSED,
        "open": (campaign.purchase_starts_at <= now < campaign.claims_end_before
                 and campaign.state != CampaignState.PAUSED),
        "closed": now >= campaign.claims_end_before,
    }
    return render(request, "campaigns/site.html", context)
