"""Make receipts with known values: born-digital PDFs (fpdf2) and photo-like JPEGs (Pillow).

Languages nb, sv, da, de and en (GB, US, AU), with real Nordic and European shop names, local
date and number formats, item lines, net subtotal, VAT (MVA/MOMS/MwSt/VAT/GST/sales tax), total
and receipt number. ``generate_set`` writes a mixed set for the benchmark; tests call
``make_spec``, ``render_pdf`` and ``render_photo`` directly.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MONO = FONT_DIR / "DejaVuSansMono.ttf"
MONO_BOLD = FONT_DIR / "DejaVuSansMono-Bold.ttf"
CENT = Decimal("0.01")
LANGUAGES = ("nb", "sv", "da", "de", "en")


@dataclass(frozen=True)
class Shop:
    """A retailer as printed on its receipts."""

    name: str
    legal: str
    web: str
    address: str
    locale: str
    currency: str
    vat_rate: Decimal
    vat_included: bool = True


SHOPS: dict[str, tuple[Shop, ...]] = {
    "nb": (
        Shop(
            "Elkjøp",
            "Elkjøp Norge AS",
            "www.elkjop.no",
            "Stovner Senter, 0985 Oslo",
            "nb",
            "NOK",
            Decimal("0.25"),
        ),
        Shop(
            "Power",
            "Power Norge AS",
            "www.power.no",
            "Alnabru, 0668 Oslo",
            "nb",
            "NOK",
            Decimal("0.25"),
        ),
        Shop(
            "Clas Ohlson",
            "Clas Ohlson AS",
            "www.clasohlson.no",
            "Karl Johans gate 2, 0154 Oslo",
            "nb",
            "NOK",
            Decimal("0.25"),
        ),
    ),
    "sv": (
        Shop(
            "Elgiganten",
            "Elgiganten AB",
            "www.elgiganten.se",
            "Kungens Kurva, 141 75 Kungens Kurva",
            "sv",
            "SEK",
            Decimal("0.25"),
        ),
        Shop(
            "NetOnNet",
            "NetOnNet AB",
            "www.netonnet.se",
            "Bäckebol, 422 54 Hisings Backa",
            "sv",
            "SEK",
            Decimal("0.25"),
        ),
        Shop(
            "Kjell & Company",
            "Kjell & Company AB",
            "www.kjell.com",
            "Drottninggatan 8, 111 51 Stockholm",
            "sv",
            "SEK",
            Decimal("0.25"),
        ),
    ),
    "da": (
        Shop(
            "Power",
            "Power A/S",
            "www.power.dk",
            "Fisketorvet, 1560 København V",
            "da",
            "DKK",
            Decimal("0.25"),
        ),
        Shop(
            "Elgiganten",
            "Elgiganten A/S",
            "www.elgiganten.dk",
            "Field's, 2300 København S",
            "da",
            "DKK",
            Decimal("0.25"),
        ),
        Shop(
            "Bilka",
            "Bilka Hypermarked",
            "www.bilka.dk",
            "Ishøj Strandvej, 2635 Ishøj",
            "da",
            "DKK",
            Decimal("0.25"),
        ),
    ),
    "de": (
        Shop(
            "MediaMarkt",
            "Media Markt TV-HiFi-Elektro GmbH",
            "www.mediamarkt.de",
            "Alexanderplatz 3, 10178 Berlin",
            "de",
            "EUR",
            Decimal("0.19"),
        ),
        Shop(
            "Saturn",
            "Saturn Electro-Handelsgesellschaft mbH",
            "www.saturn.de",
            "Mönckebergstraße 1, 20095 Hamburg",
            "de",
            "EUR",
            Decimal("0.19"),
        ),
        Shop(
            "expert",
            "expert Klein GmbH",
            "www.expert.de",
            "Hauptstraße 12, 57234 Wilnsdorf",
            "de",
            "EUR",
            Decimal("0.19"),
        ),
    ),
    "en": (
        Shop(
            "John Lewis",
            "John Lewis plc",
            "www.johnlewis.com",
            "300 Oxford Street, London W1C 1DX",
            "en-GB",
            "GBP",
            Decimal("0.20"),
        ),
        Shop(
            "Currys",
            "Currys Group Ltd",
            "www.currys.co.uk",
            "Tottenham Court Road, London W1T 7BG",
            "en-GB",
            "GBP",
            Decimal("0.20"),
        ),
        Shop(
            "Best Buy",
            "Best Buy Co., Inc.",
            "www.bestbuy.com",
            "529 5th Ave, New York, NY 10017",
            "en-US",
            "USD",
            Decimal("0.08875"),
            vat_included=False,
        ),
        Shop(
            "JB Hi-Fi",
            "JB Hi-Fi Group Pty Ltd",
            "www.jbhifi.com.au",
            "Bourke St Mall, Melbourne VIC 3000",
            "en-AU",
            "AUD",
            Decimal("0.10"),
        ),
    ),
}

PRODUCTS = (
    "Sonos Era 100 Black",
    'Samsung 55" QLED TV',
    "Apple AirPods Pro 2",
    "Philips Hue Starter Kit",
    "Sony WH-1000XM5",
    "Logitech MX Master 3S",
    "HDMI 2.1 2m",
    "USB-C 65W",
    "JBL Flip 6",
    "Garmin Forerunner 265",
    "Bose QuietComfort",
    "Nintendo Switch OLED",
    "LG OLED55C3",
    "Canon EOS R50",
    "Anker PowerCore 10000",
    "Sennheiser Momentum 4",
)

WORDS = {
    "nb": {
        "receipt": "KVITTERING",
        "no": "Kvitteringsnr",
        "date": "Dato",
        "net": "Sum eks. mva",
        "vat": "Herav MVA",
        "total": "TOTALT",
        "pay": "Bankkort",
        "cashier": "Kasse",
        "return": "Åpent kjøp til",
        "thanks": "Takk for handelen!",
        "org": "Org.nr 979 959 951 MVA",
        "rounding": "Øreavrunding",
        "due": "Å BETALE",
        "summary": "MVA-grunnlag",
        "months": (
            "januar februar mars april mai juni juli august september oktober november desember"
        ),
    },
    "sv": {
        "receipt": "KVITTO",
        "no": "Kvittonr",
        "date": "Datum",
        "net": "Summa exkl. moms",
        "vat": "Varav moms",
        "total": "ATT BETALA",
        "pay": "Kort",
        "cashier": "Kassa",
        "return": "Öppet köp t.o.m.",
        "thanks": "Tack för ditt köp!",
        "org": "Org.nr 556509-6488",
        "rounding": "Öresavrundning",
        "due": "ATT BETALA",
        "summary": "Momsspecifikation",
        "months": (
            "januari februari mars april maj juni juli augusti september oktober november december"
        ),
    },
    "da": {
        "receipt": "KVITTERING",
        "no": "Bon nr",
        "date": "Dato",
        "net": "Subtotal ekskl. moms",
        "vat": "Heraf moms",
        "total": "I ALT",
        "pay": "Dankort",
        "cashier": "Kasse",
        "return": "Byttes senest",
        "thanks": "Tak for handlen!",
        "org": "CVR 25 06 26 06",
        "rounding": "Afrunding",
        "due": "AT BETALE",
        "summary": "Momsoversigt",
        "months": (
            "januar februar marts april maj juni juli august september oktober november december"
        ),
    },
    "de": {
        "receipt": "KASSENBON",
        "no": "Bon-Nr.",
        "date": "Datum",
        "net": "Netto",
        "vat": "MwSt",
        "total": "SUMME",
        "pay": "EC-Karte",
        "cashier": "Kasse",
        "return": "Umtausch bis",
        "thanks": "Vielen Dank für Ihren Einkauf!",
        "org": "USt-IdNr. DE 811 229 476",
        "rounding": "Rundung",
        "due": "ZU ZAHLEN",
        "summary": "MwSt-Übersicht",
        "months": (
            "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
        ),
    },
    "en": {
        "receipt": "RECEIPT",
        "no": "Receipt No",
        "date": "Date",
        "net": "Subtotal",
        "vat": "VAT",
        "total": "TOTAL",
        "pay": "Card",
        "cashier": "Till",
        "return": "Return by",
        "thanks": "Thank you for shopping with us",
        "org": "VAT Reg No 232 7145 11",
        "rounding": "Rounding",
        "due": "AMOUNT DUE",
        "summary": "VAT summary",
        "months": ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
    },
}

TESSERACT_LANGUAGES = {
    "nb": "nor+eng",
    "sv": "swe+eng",
    "da": "dan+eng",
    "de": "deu+eng",
    "en": "eng",
}


@dataclass(frozen=True)
class ReceiptSpec:
    """Everything printed on one project-made receipt, and so the true values."""

    language: str
    shop: Shop
    purchase_date: date
    receipt_number: str
    items: tuple[tuple[str, int, Decimal], ...]
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    long_date: bool = False
    return_date: bool = False
    seed: int = 0
    extra: dict[str, str] = field(default_factory=dict)
    # Cash rounding: the total line shows total - rounding, then a rounding line, then the
    # rounded amount due (``total``).
    rounding: Decimal = Decimal(0)
    # A VAT breakdown table at the end whose "Total" row holds the net amount.
    tax_table: bool = False

    @property
    def retailer(self) -> str:
        """Return the retailer name a consumer would type."""
        return self.shop.name

    @property
    def currency(self) -> str:
        """Return the ISO currency."""
        return self.shop.currency

    @property
    def languages(self) -> str:
        """Return the Tesseract languages for this receipt."""
        return TESSERACT_LANGUAGES[self.language]


def make_spec(seed: int, language: str, *, shop: int | None = None) -> ReceiptSpec:
    """Return a random but reproducible receipt in a language."""
    rng = random.Random(seed)
    shops = SHOPS[language]
    chosen = shops[shop % len(shops)] if shop is not None else rng.choice(shops)
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 700))
    items = []
    for name in rng.sample(PRODUCTS, rng.randint(1, 4)):
        price = Decimal(
            rng.randrange(99, 15000 if chosen.currency in {"NOK", "SEK", "DKK"} else 1500)
        )
        price += Decimal(rng.choice(["0", "0.5", "0.9", "0.95", "0.49"]))
        items.append((name, rng.randint(1, 2), price.quantize(CENT)))
    gross = sum((q * p for _, q, p in items), Decimal(0)).quantize(CENT)
    rate = chosen.vat_rate
    if chosen.vat_included:
        total = gross
        vat = (total - total / (1 + rate)).quantize(CENT, ROUND_HALF_UP)
        subtotal = total - vat
    else:
        subtotal = gross
        vat = (subtotal * rate).quantize(CENT, ROUND_HALF_UP)
        total = subtotal + vat
    number = f"{rng.randint(100, 999)}-{rng.randint(100000, 999999)}"
    return ReceiptSpec(
        language,
        chosen,
        day,
        number,
        tuple(items),
        subtotal,
        vat,
        total,
        long_date=rng.random() < 0.4,
        return_date=rng.random() < 0.5,
        seed=seed,
    )


def money(value: Decimal, locale: str) -> str:
    """Format an amount the local way (``1 234,50``, ``1.234,50``, ``1,234.50``)."""
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}"
    if locale in ("nb", "sv"):
        return sign + groups.replace(",", " ") + "," + frac
    if locale in ("da", "de"):
        return sign + groups.replace(",", ".") + "," + frac
    return sign + groups + "." + frac


def local_date(day: date, locale: str, *, long: bool) -> str:
    """Format a date the local way, numeric or with the month's name."""
    lang = locale.split("-")[0]
    if long:
        month = WORDS[lang]["months"].split()[day.month - 1]
        if lang in ("nb", "da", "de"):
            return f"{day.day}. {month} {day.year}"
        if locale == "en-US":
            return f"{month} {day.day}, {day.year}"
        return f"{day.day} {month} {day.year}"
    return {
        "nb": f"{day:%d.%m.%Y}",
        "de": f"{day:%d.%m.%Y}",
        "sv": day.isoformat(),
        "da": f"{day:%d-%m-%Y}",
        "en-GB": f"{day:%d/%m/%Y}",
        "en-AU": f"{day:%d/%m/%Y}",
        "en-US": f"{day:%m/%d/%Y}",
    }[locale]


def receipt_rows(spec: ReceiptSpec) -> list[tuple[str, str, bool]]:
    """Return the receipt as rows of (left text, right-aligned amount, bold)."""
    w = WORDS[spec.language]
    loc = spec.shop.locale
    lang = spec.language
    cur = spec.shop.currency
    rows: list[tuple[str, str, bool]] = [
        (spec.shop.name.upper(), "", True),
        (spec.shop.legal, "", False),
        (spec.shop.address, "", False),
        (w["org"], "", False),
        ("", "", False),
        (w["receipt"], "", True),
        (
            f"{w['date']}: {local_date(spec.purchase_date, loc, long=spec.long_date)}  14:32",
            "",
            False,
        ),
        (f"{w['no']}: {spec.receipt_number}", "", False),
        (f"{w['cashier']} 3", "", False),
        ("", "", False),
    ]
    for name, qty, price in spec.items:
        rows.append((f"{qty} x {name}", money(qty * price, lang), False))
    rows.append(("", "", False))
    vat_pct = f"{(spec.shop.vat_rate * 100).normalize():f} %"
    if spec.rounding:
        rows.append((f"{w['total']} {cur}", money(spec.total - spec.rounding, lang), True))
        rows.append((w["rounding"], money(spec.rounding, lang), False))
        rows.append((f"{w['due']} {cur}", money(spec.total, lang), True))
        rows.append((w["net"], money(spec.subtotal, lang), False))
        rows.append((f"{w['vat']} {vat_pct}", money(spec.vat, lang), False))
    elif spec.shop.vat_included:
        rows.append((f"{w['total']} {cur}", money(spec.total, lang), True))
        rows.append((f"{w['net']}", money(spec.subtotal, lang), False))
        tax_label = "GST incl." if loc == "en-AU" else f"{w['vat']} {vat_pct}"
        rows.append((tax_label, money(spec.vat, lang), False))
    else:
        rows.append((w["net"], money(spec.subtotal, lang), False))
        rows.append((f"Sales Tax {vat_pct}", money(spec.vat, lang), False))
        rows.append((f"{w['total']} {cur}", money(spec.total, lang), True))
    rows.append(("", "", False))
    rows.append((f"{w['pay']} {cur}", money(spec.total, lang), False))
    if spec.return_date:
        back = spec.purchase_date + timedelta(days=30)
        rows.append((f"{w['return']} {local_date(back, loc, long=False)}", "", False))
    if spec.tax_table:
        rows.append((f"{w['summary']} {vat_pct}", "", False))
        rows.append(("Total", money(spec.subtotal, lang), False))
    rows += [("", "", False), (w["thanks"], "", False), (spec.shop.web, "", False)]
    return rows


def render_pdf(spec: ReceiptSpec, path: Path) -> Path:
    """Write a born-digital receipt PDF (80 mm roll) with a real text layer, using fpdf2."""
    from fpdf import FPDF

    rows = receipt_rows(spec)
    pdf = FPDF(unit="mm", format=(80, 12 + 5 * len(rows)))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("mono", "", str(MONO))
    pdf.add_font("mono", "B", str(MONO_BOLD))
    # A fixed creation date keeps the files byte-identical between runs.
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    for left, right, bold in rows:
        pdf.set_font("mono", "B" if bold else "", 8)
        y = pdf.get_y()
        pdf.cell(72, 5, left)
        if right:
            pdf.set_xy(4, y)
            pdf.cell(72, 5, right, align="R")
        pdf.set_xy(4, y + 5)
    path.write_bytes(bytes(pdf.output()))
    return path


def render_image(spec: ReceiptSpec, *, scale: float = 1.0) -> Image.Image:
    """Draw the receipt on white paper, as a clean image."""
    rows = receipt_rows(spec)
    size = round(22 * scale)
    font = ImageFont.truetype(str(MONO), size)
    bold = ImageFont.truetype(str(MONO_BOLD), size)
    width = round(640 * scale)
    line_h = round(size * 1.45)
    margin = round(28 * scale)
    paper = Image.new("L", (width, margin * 2 + line_h * len(rows)), 250)
    draw = ImageDraw.Draw(paper)
    for i, (left, right, is_bold) in enumerate(rows):
        y = margin + i * line_h
        f = bold if is_bold else font
        draw.text((margin, y), left, fill=25, font=f)
        if right:
            draw.text((width - margin - draw.textlength(right, font=f), y), right, fill=25, font=f)
    return paper


def photograph(
    paper: Image.Image,
    *,
    rng: random.Random,
    rotate: float | None = None,
    blur: float = 0.6,
    quality: int = 72,
) -> bytes:
    """Make a clean receipt look photographed: background, tilt, perspective, blur, noise, JPEG."""
    import numpy as np

    angle = rotate if rotate is not None else rng.uniform(-2.5, 2.5)
    pad = 60
    canvas = Image.new("L", (paper.width + 2 * pad, paper.height + 2 * pad), rng.randint(90, 140))
    canvas.paste(paper, (pad, pad))
    canvas = canvas.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=rng.randint(90, 140)
    )
    w, h = canvas.size
    d = 0.02
    quad = (
        rng.uniform(0, d) * w,
        rng.uniform(0, d) * h,
        rng.uniform(0, d) * w,
        h - rng.uniform(0, d) * h,
        w - rng.uniform(0, d) * w,
        h - rng.uniform(0, d) * h,
        w - rng.uniform(0, d) * w,
        rng.uniform(0, d) * h,
    )
    canvas = canvas.transform((w, h), Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC)
    if blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(blur))
    arr = np.asarray(canvas, dtype=np.float32)
    shade = np.linspace(1.0, rng.uniform(0.82, 0.95), arr.shape[1], dtype=np.float32)[None, :]
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 6, arr.shape).astype(np.float32)
    arr = np.clip(arr * shade + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(arr).convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def render_photo(
    spec: ReceiptSpec, path: Path, *, blur: float = 0.6, rotate: float | None = None
) -> Path:
    """Write a photo-like JPEG of the receipt."""
    rng = random.Random(spec.seed + 7)
    path.write_bytes(photograph(render_image(spec), rng=rng, rotate=rotate, blur=blur))
    return path


def generate_set(directory: Path, *, count: int = 40) -> list[tuple[ReceiptSpec, Path]]:
    """Write ``count`` receipts spread over the five languages, alternating PDF and photo."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        language = LANGUAGES[i % len(LANGUAGES)]
        spec = make_spec(1000 + i, language, shop=i // len(LANGUAGES))
        if (i // len(LANGUAGES)) % 2 == 0:
            path = render_pdf(spec, directory / f"gen-{i:03d}-{language}.pdf")
        else:
            path = render_photo(spec, directory / f"gen-{i:03d}-{language}.jpg")
        out.append((spec, path))
    return out


def with_rounding(spec: ReceiptSpec) -> ReceiptSpec:
    """Return the receipt with cash rounding to a whole unit printed before the amount due."""
    whole = spec.total == spec.total.quantize(Decimal(1))
    before = spec.total - Decimal("0.30") if whole else spec.total
    paid = before.quantize(Decimal(1), ROUND_HALF_UP)
    return replace(spec, total=paid, rounding=paid - before)


def with_total(spec: ReceiptSpec, total: Decimal) -> ReceiptSpec:
    """Return a copy of the spec with another total (for a receipt that differs only there)."""
    return replace(spec, total=total)
