"""A few claims with photographed receipts for the demo, so the desk has something to show."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from rabatt.campaigns.models import Campaign
from rabatt.campaigns.rules import PurchaseLine
from rabatt.claims.models import Claim
from rabatt.claims.services import BankIn, DeclarationsIn, PersonIn, PurchaseIn, claim_submit
from rabatt.codes.alphabet import display
from rabatt.codes.services import codes_issue
from rabatt.core.timeutil import utcnow
from rabatt.receipts.services import receipt_vet

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


@dataclass(frozen=True)
class DemoClaim:
    first_name: str
    last_name: str
    email: str
    retailer: str
    shop_lines: tuple[str, ...]
    printed_price: str
    claimed_price: str
    days_ago: int
    receipt_no: str
    blur: float = 0.0
    # Each person their own account, but the one who resends another's receipt also uses that
    # person's account: the desk flags both.
    account: str = "8601 11 17947"


CLAIMS = (
    DemoClaim("Kari", "Nordmann", "kari@example.no", "elkjop-no",
              ("ELKJØP", "Elkjøp Norge AS", "www.elkjop.no", "Stovner Senter, 0985 Oslo"),
              "4990,00", "4990.00", 3, "417-220719"),
    DemoClaim("Ola", "Hansen", "ola@example.no", "power-no",
              ("POWER", "Power Norge AS", "www.power.no", "Alnabru, 0668 Oslo"),
              "4490,00", "4990.00", 4, "233-118802", account="1503 0123 457"),
    # The first receipt again, from someone else: the desk shows it as a duplicate.
    DemoClaim("Per", "Olsen", "per@example.no", "elkjop-no",
              ("ELKJØP", "Elkjøp Norge AS", "www.elkjop.no", "Stovner Senter, 0985 Oslo"),
              "4990,00", "4990.00", 3, "417-220719"),
    DemoClaim("Eva", "Berg", "eva@example.no", "hifiklubben-no",
              ("HIFI KLUBBEN", "HiFi Klubben Norge AS", "www.hifiklubben.no", "0150 Oslo"),
              "4990,00", "4990.00", 5, "901-000412", blur=3.5, account="1204 56 78901"),
)


def receipt_photo(claim: DemoClaim, day: str) -> bytes:
    """Draw a shop receipt as a JPEG photo (slightly tilted, optionally blurred)."""
    font = ImageFont.truetype(str(_FONT), 26) if _FONT.exists() else ImageFont.load_default()
    rows = [*claim.shop_lines, "", f"Kvittering {claim.receipt_no}", f"Dato {day}  14:03", "",
            f"SONOS BEAM          {claim.printed_price}", "",
            f"TOTALT              {claim.printed_price}",
            f"Herav MVA 25%       {Decimal(claim.printed_price.replace(',', '.')) / 5:.2f}"
            .replace(".", ","), "", "Bankkort             " + claim.printed_price, "",
            "Takk for handelen!"]
    paper = Image.new("L", (760, 60 + 40 * len(rows)), 248)
    draw = ImageDraw.Draw(paper)
    for i, row in enumerate(rows):
        draw.text((40, 30 + 40 * i), row, fill=20, font=font)
    photo = paper.rotate(1.2, expand=True, fillcolor=180, resample=Image.Resampling.BICUBIC)
    if claim.blur:
        photo = photo.filter(ImageFilter.GaussianBlur(claim.blur))
    out = io.BytesIO()
    photo.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def demo_claims_create(*, campaign: Campaign) -> list[Claim]:
    """Submit the demo claims once (a campaign that has claims already is left alone)."""
    if Claim.objects.filter(campaign=campaign).exists():
        return []
    made = []
    for item in CLAIMS:
        when = utcnow() - timedelta(days=item.days_ago)
        photo = receipt_photo(item, when.strftime("%d.%m.%Y"))
        with transaction.atomic():
            code = display(next(iter(codes_issue(campaign=campaign, channel="retailer",
                                                 count=1))))
            made.append(claim_submit(
                campaign=campaign, code=code,
                person=PersonIn(first_name=item.first_name, last_name=item.last_name,
                                email=item.email, address_line1="Storgata 1", postcode="0155",
                                city="Oslo", country="NO"),
                purchase=PurchaseIn(country="NO", channel="retailer", retailer=item.retailer,
                                    purchased_at=when.replace(hour=12, minute=3),
                                    lines=[PurchaseLine(product="beam",
                                                        price=Decimal(item.claimed_price),
                                                        quantity=1)]),
                bank=BankIn(account_holder=f"{item.first_name} {item.last_name}",
                            fields={"iban": item.account}),
                declarations=DeclarationsIn(adult=True, end_user=True, own_claim=True,
                                            terms_accepted=True),
                marketing_consent=False, locale="nb",
                uploads=[receipt_vet(data=photo, name="kvittering.jpg",
                                     content_type="image/jpeg")],
            ))
    return made
