"""The project-made development receipts: hundreds, in the participating countries' formats.

Every receipt is drawn from a seed, so the set is the same on every machine and nothing
generated is committed: ``generate(directory, count=400)`` writes it (``python -m
rabatt.receipts.tests.devset --out var/receipts-dev``), the benchmark and the tests make what
they need on the fly. Each receipt is a born-digital PDF (fpdf2, a real text layer) or a
picture (Pillow) of the printed slip: scanned flat, or photographed with thermal fade,
creases, skew, shadows, low light, JPEG artefacts and cropped edges. Shops, labels, dates,
amounts and VAT rates follow each country (the tables below are data: one row per country).
"""

from __future__ import annotations

import argparse
import io
import json
import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ("DejaVuSansMono", "DejaVuSans", "DejaVuSerif")
CENT = Decimal("0.01")

MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "jan feb mrt apr mei jun jul aug sep okt nov dec",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "es": "ene feb mar abr may jun jul ago sep oct nov dic",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
}


@dataclass(frozen=True)
class Country:
    """How receipts are printed in one participating country."""

    code: str
    language: str
    currency: str
    # Thousands and decimal separators of amounts.
    thousands: str
    decimal: str
    # strftime-like patterns: {d} {m} {y} {yy} {dd} {mm} {mon} (month name)
    dates: tuple[str, ...]
    vat_rates: tuple[Decimal, ...]
    totals: tuple[str, ...]
    subtotal: str
    vat: str
    card: str
    cash: str
    change: str
    date_label: str
    number_label: str
    receipt: str
    thanks: str
    shops: tuple[tuple[str, str, str], ...]  # name, legal name, web
    company_id: str
    vat_included: bool = True


def _d(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


COUNTRIES: tuple[Country, ...] = (
    Country("NO", "nb", "NOK", " ", ",", ("{dd}.{mm}.{y}", "{dd}.{mm}.{yy}", "{d}. {mon} {y}"),
            _d("0.25", "0.15"), ("TOTALT", "Å BETALE", "SUM"), "Sum eks. mva", "MVA",
            "Bankkort", "Kontant", "Veksel", "Dato", "Kvitteringsnr", "KVITTERING",
            "Takk for handelen!",
            (("Elkjøp", "Elkjøp Norge AS", "elkjop.no"), ("Power", "Power Norge AS", "power.no"),
             ("Clas Ohlson", "Clas Ohlson AS", "clasohlson.no"),
             ("Komplett", "Komplett Services AS", "komplett.no")),
            "Org.nr 979 959 951 MVA"),
    Country("SE", "sv", "SEK", " ", ",", ("{y}-{mm}-{dd}", "{yy}-{mm}-{dd}", "{d} {mon} {y}"),
            _d("0.25", "0.12"), ("ATT BETALA", "TOTALT", "SUMMA"), "Summa exkl. moms", "Moms",
            "Kort", "Kontant", "Växel", "Datum", "Kvittonr", "KVITTO", "Tack för ditt köp!",
            (("Elgiganten", "Elgiganten AB", "elgiganten.se"),
             ("NetOnNet", "NetOnNet AB", "netonnet.se"),
             ("Kjell & Company", "Kjell & Company AB", "kjell.com"),
             ("Webhallen", "Webhallen Sverige AB", "webhallen.com")),
            "Org.nr 556509-6488"),
    Country("DK", "da", "DKK", ".", ",", ("{dd}-{mm}-{y}", "{dd}.{mm}.{y}", "{d}. {mon} {y}"),
            _d("0.25",), ("I ALT", "AT BETALE", "TOTAL"), "Subtotal ekskl. moms", "Moms",
            "Dankort", "Kontant", "Byttepenge", "Dato", "Bon nr", "KVITTERING",
            "Tak for handlen!",
            (("Power", "Power A/S", "power.dk"), ("Elgiganten", "Elgiganten A/S", "elgiganten.dk"),
             ("Bilka", "Bilka Hypermarked", "bilka.dk"), ("Føtex", "Føtex A/S", "foetex.dk")),
            "CVR 25 06 26 06"),
    Country("FI", "fi", "EUR", " ", ",", ("{d}.{m}.{y}", "{dd}.{mm}.{y}", "{dd}.{mm}.{yy}"),
            _d("0.255", "0.14"), ("YHTEENSÄ", "MAKSETTAVA", "SUMMA"), "Veroton", "ALV",
            "Pankkikortti", "Käteinen", "Takaisin", "Pvm", "Kuitti nro", "KUITTI",
            "Kiitos käynnistä!",
            (("Verkkokauppa.com", "Verkkokauppa.com Oyj", "verkkokauppa.com"),
             ("Gigantti", "Gigantti Oy", "gigantti.fi"), ("Power", "Power Finland Oy", "power.fi")),
            "Y-tunnus 2257305-0"),
    Country("DE", "de", "EUR", ".", ",", ("{dd}.{mm}.{y}", "{dd}.{mm}.{yy}", "{d}. {mon} {y}"),
            _d("0.19", "0.07"), ("SUMME", "ZU ZAHLEN", "GESAMT"), "Netto", "MwSt",
            "EC-Karte", "Bar", "Rückgeld", "Datum", "Bon-Nr.", "KASSENBON",
            "Vielen Dank für Ihren Einkauf!",
            (("MediaMarkt", "Media Markt TV-HiFi-Elektro GmbH", "mediamarkt.de"),
             ("Saturn", "Saturn Electro-Handelsgesellschaft mbH", "saturn.de"),
             ("expert", "expert Klein GmbH", "expert.de"),
             ("Euronics", "Euronics Deutschland eG", "euronics.de")),
            "USt-IdNr. DE 811 229 476"),
    Country("AT", "de", "EUR", ".", ",", ("{dd}.{mm}.{y}", "{dd}.{mm}.{yy}"),
            _d("0.20", "0.10"), ("SUMME", "GESAMT", "ZU ZAHLEN"), "Netto", "USt",
            "Bankomat", "Bar", "Rückgeld", "Datum", "Beleg-Nr.", "RECHNUNG",
            "Danke für Ihren Einkauf!",
            (("Hartlauer", "Hartlauer Handelsgesellschaft m.b.H.", "hartlauer.at"),
             ("MediaMarkt", "Media Markt Wien GmbH", "mediamarkt.at")),
            "UID ATU 12345678"),
    Country("CH", "de", "CHF", "'", ".", ("{dd}.{mm}.{y}", "{dd}.{mm}.{yy}"),
            _d("0.081", "0.026"), ("TOTAL", "TOTAL CHF", "ZU BEZAHLEN"), "Total exkl. MWST",
            "MWST", "Maestro", "Bar", "Rückgeld", "Datum", "Beleg", "QUITTUNG",
            "Merci für Ihren Einkauf",
            (("Interdiscount", "Interdiscount AG", "interdiscount.ch"),
             ("Fust", "Dipl. Ing. Fust AG", "fust.ch"), ("melectronics", "Migros melectronics",
                                                        "melectronics.ch")),
            "CHE-105.837.185 MWST"),
    Country("FR", "fr", "EUR", " ", ",", ("{dd}/{mm}/{y}", "{dd}/{mm}/{yy}", "{d} {mon} {y}"),
            _d("0.20", "0.055"), ("TOTAL TTC", "À PAYER", "NET À PAYER"), "Total HT", "TVA",
            "Carte bancaire", "Espèces", "Rendu", "Date", "Ticket n°", "TICKET DE CAISSE",
            "Merci de votre visite",
            (("Fnac", "Fnac Darty SA", "fnac.com"), ("Darty", "Darty Grand Est SNC", "darty.com"),
             ("Boulanger", "Boulanger SA", "boulanger.com")),
            "SIRET 552 081 317 00025"),
    Country("BE", "nl", "EUR", ".", ",", ("{dd}/{mm}/{y}", "{dd}-{mm}-{y}"),
            _d("0.21", "0.06"), ("TOTAAL", "TE BETALEN", "TOTAL"), "Subtotaal excl. btw", "BTW",
            "Bancontact", "Contant", "Wisselgeld", "Datum", "Ticket nr", "KASTICKET",
            "Bedankt en tot ziens",
            (("Krefel", "Krefel NV", "krefel.be"), ("Vanden Borre", "Vanden Borre NV",
                                                   "vandenborre.be")),
            "BTW BE 0404.616.494"),
    Country("NL", "nl", "EUR", ".", ",", ("{dd}-{mm}-{y}", "{dd}-{mm}-{yy}", "{d} {mon} {y}"),
            _d("0.21", "0.09"), ("TOTAAL", "TE BETALEN", "TOTAAL TE BETALEN"),
            "Subtotaal excl. btw", "BTW", "PIN", "Contant", "Wisselgeld", "Datum", "Bonnr",
            "KASSABON", "Bedankt voor uw aankoop",
            (("Coolblue", "Coolblue B.V.", "coolblue.nl"), ("BCC", "BCC Elektro B.V.", "bcc.nl"),
             ("MediaMarkt", "Media Markt Amsterdam B.V.", "mediamarkt.nl")),
            "KvK 24298358"),
    Country("IT", "it", "EUR", ".", ",", ("{dd}/{mm}/{y}", "{dd}-{mm}-{y}", "{d} {mon} {y}"),
            _d("0.22", "0.10"), ("TOTALE", "TOTALE COMPLESSIVO", "IMPORTO PAGATO"),
            "Imponibile", "IVA", "Carta", "Contanti", "Resto", "Data", "Scontrino n.",
            "DOCUMENTO COMMERCIALE", "Grazie e arrivederci",
            (("Unieuro", "Unieuro S.p.A.", "unieuro.it"), ("Euronics", "Euronics Italia S.p.A.",
                                                           "euronics.it"),
             ("Trony", "Trony S.r.l.", "trony.it")),
            "P.IVA 00876220633"),
    Country("ES", "es", "EUR", ".", ",", ("{dd}/{mm}/{y}", "{dd}-{mm}-{y}", "{d} {mon} {y}"),
            _d("0.21", "0.10"), ("TOTAL", "TOTAL A PAGAR", "IMPORTE TOTAL"), "Base imponible",
            "IVA", "Tarjeta", "Efectivo", "Cambio", "Fecha", "Factura simpl. n.",
            "TICKET", "Gracias por su compra",
            (("El Corte Inglés", "El Corte Inglés S.A.", "elcorteingles.es"),
             ("MediaMarkt", "Media Markt Madrid S.A.", "mediamarkt.es"),
             ("PcComponentes", "PcComponentes y Multimedia S.L.", "pccomponentes.com")),
            "CIF A-28017895"),
    Country("PL", "pl", "PLN", " ", ",", ("{dd}.{mm}.{y}", "{y}-{mm}-{dd}", "{d} {mon} {y}"),
            _d("0.23", "0.08"), ("SUMA PLN", "RAZEM", "DO ZAPŁATY", "ŁĄCZNIE"),
            "Sprzedaż opodatkowana", "PTU", "Karta", "Gotówka", "Reszta", "Data", "Paragon nr",
            "PARAGON FISKALNY", "Dziękujemy za zakupy",
            (("RTV Euro AGD", "Euro-net Sp. z o.o.", "euro.com.pl"),
             ("Media Expert", "TERG S.A.", "mediaexpert.pl"),
             ("x-kom", "x-kom Sp. z o.o.", "x-kom.pl")),
            "NIP 526-25-40-506"),
    Country("GB", "en", "GBP", ",", ".", ("{dd}/{mm}/{y}", "{dd}/{mm}/{yy}", "{d} {mon} {y}",
                                         "{dd}-{mon}-{y}"),
            _d("0.20",), ("TOTAL", "AMOUNT DUE", "BALANCE DUE"), "Subtotal", "VAT", "Visa",
            "Cash", "Change", "Date", "Receipt No", "RECEIPT", "Thank you for shopping with us",
            (("John Lewis", "John Lewis plc", "johnlewis.com"),
             ("Currys", "Currys Group Ltd", "currys.co.uk"), ("Argos", "Argos Ltd", "argos.co.uk")),
            "VAT Reg No 232 7145 11"),
    Country("IE", "en", "EUR", ",", ".", ("{dd}/{mm}/{y}", "{dd}/{mm}/{yy}", "{d} {mon} {y}"),
            _d("0.23", "0.135"), ("TOTAL", "TOTAL EUR", "AMOUNT DUE"), "Subtotal", "VAT",
            "Visa Debit", "Cash", "Change", "Date", "Receipt No", "RECEIPT",
            "Thank you for shopping with us",
            (("Harvey Norman", "Harvey Norman Trading (Ireland) Ltd", "harveynorman.ie"),
             ("DID Electrical", "DID Electrical Ltd", "did.ie")),
            "VAT No IE 6388047V"),
    Country("US", "en", "USD", ",", ".", ("{mm}/{dd}/{y}", "{mm}/{dd}/{yy}", "{mon} {d}, {y}"),
            _d("0.08875",), ("TOTAL", "BALANCE DUE", "TOTAL DUE"), "Subtotal", "Sales Tax",
            "Visa", "Cash", "Change", "Date", "Trans #", "RECEIPT", "Thank you for shopping",
            (("Best Buy", "Best Buy Co., Inc.", "bestbuy.com"), ("Target", "Target Corporation",
                                                                "target.com"),
             ("B&H Photo", "B&H Foto & Electronics Corp.", "bhphotovideo.com")),
            "Store #1024", vat_included=False),
    Country("CA", "en", "CAD", ",", ".", ("{y}-{mm}-{dd}", "{mon} {d}, {y}"),
            _d("0.13",), ("TOTAL", "AMOUNT DUE", "TOTAL CAD"), "Subtotal", "HST", "Interac",
            "Cash", "Change", "Date", "Trans #", "RECEIPT", "Thank you for shopping",
            (("Best Buy", "Best Buy Canada Ltd", "bestbuy.ca"),
             ("The Source", "The Source (Bell) Electronics Inc.", "thesource.ca")),
            "HST # 86837 9436 RT0001", vat_included=False),
    Country("AU", "en", "AUD", ",", ".", ("{dd}/{mm}/{y}", "{dd}/{mm}/{yy}", "{d} {mon} {y}"),
            _d("0.10",), ("TOTAL", "TOTAL AUD", "AMOUNT DUE"), "Subtotal", "GST", "EFTPOS",
            "Cash", "Change", "Date", "Receipt No", "TAX INVOICE", "Thanks for shopping",
            (("JB Hi-Fi", "JB Hi-Fi Group Pty Ltd", "jbhifi.com.au"),
             ("Harvey Norman", "Harvey Norman Holdings Ltd", "harveynorman.com.au"),
             ("The Good Guys", "The Good Guys Pty Ltd", "thegoodguys.com.au")),
            "ABN 37 093 114 286"),
)
BY_CODE = {c.code: c for c in COUNTRIES}

PRODUCTS = (
    "Sonos Era 100", "Sonos Beam Gen 2", "Sonos Sub Mini", "Sonos Move 2", "Sonos Arc",
    "HDMI 2.1 2m", "USB-C 65W", "JBL Flip 6", "Philips Hue Kit", "Logitech MX Master 3S",
    "Apple AirPods Pro 2", "Garmin Forerunner", "Anker PowerCore", "Wall mount",
    "Speaker stand", "Batteries AA x4", "Cleaning kit", "Extended warranty 2y",
)


@dataclass(frozen=True)
class Receipt:
    """One project-made receipt and its true values."""

    name: str
    country: str
    retailer: str
    purchase_date: date
    total: Decimal
    currency: str
    subtotal: Decimal
    vat: Decimal
    kind: str  # "pdf", "scan" or "photo"
    damage: tuple[str, ...]
    rows: tuple[tuple[str, str, bool], ...]
    seed: int

    @property
    def languages(self) -> str:
        """Return the Tesseract languages for the receipt's country."""
        return TESSERACT[self.country]


TESSERACT = {
    "NO": "nor+eng", "SE": "swe+eng", "DK": "dan+eng", "FI": "fin+eng", "DE": "deu+eng",
    "AT": "deu+eng", "CH": "deu+eng", "FR": "fra+eng", "BE": "nld+fra+eng", "NL": "nld+eng",
    "IT": "ita+eng", "ES": "spa+eng", "PL": "pol+eng", "GB": "eng", "IE": "eng", "US": "eng",
    "CA": "eng", "AU": "eng",
}


def money(value: Decimal, country: Country) -> str:
    """Format an amount the country's way (``1 234,50``, ``1.234,50``, ``1'234.50``)."""
    sign = "-" if value < 0 else ""
    whole, frac = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", "\x00")
    return sign + groups.replace("\x00", country.thousands) + country.decimal + frac


def local_date(day: date, country: Country, pattern: str) -> str:
    """Format a date with one of the country's patterns."""
    month = MONTHS.get(country.language, MONTHS["en"]).split()[day.month - 1]
    return pattern.format(
        d=day.day, m=day.month, y=day.year, yy=f"{day.year % 100:02d}", dd=f"{day.day:02d}",
        mm=f"{day.month:02d}", mon=month,
    )


def _rows(rng: random.Random, country: Country) -> tuple[dict[str, object], list]:
    name, legal, web = rng.choice(country.shops)
    day = date(2019, 7, 20) + timedelta(days=rng.randrange(0, 900))
    pattern = rng.choice(country.dates)
    rates = country.vat_rates
    items = []
    for product in rng.sample(PRODUCTS, rng.randint(1, 5)):
        high = 900 if country.currency in {"NOK", "SEK", "DKK", "PLN"} else 90
        unit = Decimal(rng.randrange(2, high)) * (10 if rng.random() < 0.3 else 1)
        unit += Decimal(rng.choice(["0", "0.50", "0.90", "0.95", "0.99", "0.49", "0.25"]))
        qty = 1 if rng.random() < 0.8 else rng.randint(2, 3)
        items.append((product, qty, unit.quantize(CENT), rng.choice(rates)))
    by_rate: dict[Decimal, Decimal] = {}
    for _, qty, unit, rate in items:
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + qty * unit
    if country.vat_included:
        total = sum(by_rate.values(), Decimal(0))
        vats = {r: (g - g / (1 + r)).quantize(CENT, ROUND_HALF_UP) for r, g in by_rate.items()}
        vat = sum(vats.values(), Decimal(0))
        subtotal = total - vat
    else:
        subtotal = sum(by_rate.values(), Decimal(0))
        vats = {r: (g * r).quantize(CENT, ROUND_HALF_UP) for r, g in by_rate.items()}
        vat = sum(vats.values(), Decimal(0))
        total = subtotal + vat
    m = lambda v: money(v, country)  # noqa: E731
    cur = country.currency
    rows: list[tuple[str, str, bool]] = [(name.upper() if rng.random() < 0.6 else name, "", True)]
    if rng.random() < 0.7:
        rows.append((legal, "", False))
    rows += [
        (rng.choice(ADDRESSES.get(country.language, ADDRESSES["en"])), "", False),
        (country.company_id, "", False),
        ("", "", False),
        (country.receipt, "", True),
    ]
    time_text = f"{rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}"
    date_text = local_date(day, country, pattern)
    if rng.random() < 0.7:
        rows.append((f"{country.date_label}: {date_text}  {time_text}", "", False))
    else:
        rows.append((date_text, time_text, False))
    number = f"{rng.randint(1, 99):02d}-{rng.randint(1000, 99999)}"
    rows.append((f"{country.number_label} {number}", "", False))
    rows.append(("", "", False))
    for product, qty, unit, rate in items:
        code = "AB"[rates.index(rate)] if len(rates) > 1 else ""
        if qty > 1:
            rows.append((product, "", False))
            rows.append((f"  {qty} x {m(unit)}", f"{m(qty * unit)} {code}".strip(), False))
        else:
            rows.append((product, f"{m(unit)} {code}".strip(), False))
    rows.append(("", "", False))
    total_label = rng.choice(country.totals)
    if country.vat_included:
        if rng.random() < 0.5:
            rows.append((country.subtotal, m(subtotal), False))
        rows.append((f"{total_label} {cur}" if cur not in total_label and rng.random() < 0.5
                     else total_label, m(total), True))
    else:
        rows.append((country.subtotal, m(subtotal), False))
        for rate, amount in sorted(vats.items()):
            rows.append((f"{country.vat} {_rate(rate)}", m(amount), False))
        rows.append((total_label, m(total), True))
    rows.append(("", "", False))
    if rng.random() < 0.3:
        tendered = (total / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10 + 10
        rows.append((country.cash, m(tendered), False))
        rows.append((country.change, m(tendered - total), False))
    else:
        rows.append((f"{country.card} ****{rng.randint(1000, 9999)}", m(total), False))
    if country.vat_included:
        rows.append(("", "", False))
        rows.append((f"{country.vat} %", f"{country.vat}   {country.subtotal.split()[0]}", False))
        for rate, amount in sorted(vats.items()):
            rows.append((_rate(rate), f"{m(amount)}  {m(by_rate[rate] - amount)}", False))
    rows += [("", "", False), (country.thanks, "", False), (f"www.{web}", "", False)]
    truth = {"retailer": name, "date": day, "total": total, "subtotal": subtotal, "vat": vat}
    return truth, rows


ADDRESSES = {
    "nb": ("Storgata 1, 0155 Oslo", "Strandgaten 5, 5013 Bergen"),
    "sv": ("Drottninggatan 8, 111 51 Stockholm", "Kungsgatan 12, 411 19 Göteborg"),
    "da": ("Strøget 20, 1160 København K", "Søndergade 3, 8000 Aarhus C"),
    "fi": ("Mannerheimintie 5, 00100 Helsinki", "Hämeenkatu 9, 33100 Tampere"),
    "de": ("Hauptstraße 4, 10117 Berlin", "Mariahilfer Str. 77, 1060 Wien"),
    "fr": ("12 rue de la Paix, 75002 Paris", "Rue Neuve 8, 1000 Bruxelles"),
    "nl": ("Kalverstraat 92, 1012 PH Amsterdam", "Meir 50, 2000 Antwerpen"),
    "it": ("Via Roma 21, 20121 Milano", "Via del Corso 10, 00186 Roma"),
    "es": ("Calle Mayor 5, 28013 Madrid", "Passeig de Gràcia 20, 08007 Barcelona"),
    "pl": ("ul. Marszałkowska 104, 00-017 Warszawa", "ul. Floriańska 3, 31-019 Kraków"),
    "en": ("300 Oxford Street, London W1C 1DX", "529 5th Ave, New York, NY 10017"),
}


def _rate(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


DAMAGES = ("fade", "crease", "skew", "shadow", "low-light", "jpeg", "crop")


def make(seed: int, country: str | None = None, kind: str | None = None) -> Receipt:
    """Return one receipt drawn from a seed (country and kind chosen by it unless given)."""
    rng = random.Random(seed)
    chosen = BY_CODE[country] if country else rng.choice(COUNTRIES)
    truth, rows = _rows(rng, chosen)
    # Drawn even when given, so that a receipt is the same whichever way it is asked for.
    drawn = rng.choice(("pdf", "scan", "photo", "photo"))
    kind = kind or drawn
    damage: tuple[str, ...] = ()
    if kind == "photo":
        damage = tuple(sorted(rng.sample(DAMAGES, rng.randint(1, 3))))
    return Receipt(
        f"{seed:05d}-{chosen.code.lower()}-{kind}",
        chosen.code,
        str(truth["retailer"]),
        truth["date"],  # type: ignore[arg-type]
        truth["total"],  # type: ignore[arg-type]
        chosen.currency,
        truth["subtotal"],  # type: ignore[arg-type]
        truth["vat"],  # type: ignore[arg-type]
        kind,
        damage,
        tuple(rows),
        seed,
    )


def _font(name: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / f"{name}{'-Bold' if bold else ''}.ttf"
    return ImageFont.truetype(str(path if path.exists() else FONT_DIR / "DejaVuSansMono.ttf"), size)


def render_pdf(receipt: Receipt) -> bytes:
    """Return a born-digital receipt PDF (80 mm roll) with a real text layer."""
    from fpdf import FPDF

    rng = random.Random(receipt.seed + 1)
    family = rng.choice(FONTS)
    pdf = FPDF(unit="mm", format=(80, 12 + 5 * len(receipt.rows)))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("f", "", str(FONT_DIR / f"{family}.ttf"))
    pdf.add_font("f", "B", str(FONT_DIR / f"{family}-Bold.ttf"))
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    for left, right, bold in receipt.rows:
        pdf.set_font("f", "B" if bold else "", 8)
        y = pdf.get_y()
        pdf.cell(72, 5, left)
        if right:
            pdf.set_xy(4, y)
            pdf.cell(72, 5, right, align="R")
        pdf.set_xy(4, y + 5)
    return bytes(pdf.output())


def render_paper(receipt: Receipt, rng: random.Random) -> Image.Image:
    """Draw the slip on white paper at a size a phone or scanner would give."""
    family = rng.choice(FONTS)
    size = rng.randint(17, 26)
    font, bold = _font(family, size, False), _font(family, size, True)
    width = int(size * rng.uniform(26, 30))
    line_h = round(size * rng.uniform(1.3, 1.6))
    margin = round(size * 1.2)
    paper = Image.new("L", (width, margin * 2 + line_h * len(receipt.rows)), 248)
    draw = ImageDraw.Draw(paper)
    ink = rng.randint(10, 40)
    for i, (left, right, is_bold) in enumerate(receipt.rows):
        y = margin + i * line_h
        f = bold if is_bold else font
        draw.text((margin, y), left, fill=ink, font=f)
        if right:
            draw.text((width - margin - draw.textlength(right, font=f), y), right, fill=ink, font=f)
    return paper


def _damage(paper: Image.Image, damage: tuple[str, ...], rng: random.Random) -> Image.Image:
    arr = np.asarray(paper, dtype=np.float64)
    h, w = arr.shape
    if "fade" in damage:
        # Thermal print fades unevenly: ink lightens towards paper, in bands down the slip.
        strength = rng.uniform(0.35, 0.6)
        levels = [rng.uniform(0.6, 1) for _ in range(6)]
        bands = np.interp(np.arange(h), np.linspace(0, h, 6), levels)
        ink = 255 - arr
        arr = 255 - ink * (1 - strength * bands[:, None])
    if "crease" in damage:
        for _ in range(rng.randint(1, 2)):
            y = rng.randint(h // 5, 4 * h // 5)
            arr[max(0, y - 2) : y + 2, :] *= 0.8
            arr[y + 2 : y + 30, :] *= np.linspace(0.9, 1.0, min(28, max(0, h - y - 2)))[:, None]
    pad = 50
    canvas = np.full((h + 2 * pad, w + 2 * pad), rng.uniform(70, 140), dtype=np.float64)
    canvas[pad : pad + h, pad : pad + w] = arr
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    angle = rng.uniform(-4.0, 4.0) if "skew" in damage else rng.uniform(-1.0, 1.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True,
                         fillcolor=int(canvas[0, 0]))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    arr = np.asarray(image, dtype=np.float64)
    h, w = arr.shape
    if "shadow" in damage:
        across = np.linspace(0, 1, w)[None, :]
        down = np.linspace(0, 1, h)[:, None]
        edge = rng.uniform(0.3, 0.7)
        arr = arr * np.where(across + 0.3 * down < edge, rng.uniform(0.55, 0.75), 1.0)
    if "low-light" in damage:
        arr = arr * rng.uniform(0.45, 0.65) + np.random.default_rng(rng.randrange(2**31)).normal(
            0, 7, arr.shape
        )
    else:
        arr = arr + np.random.default_rng(rng.randrange(2**31)).normal(0, 4, arr.shape)
    if "crop" in damage:
        # The photo cuts into the paper's margin on one or two sides, not into the print.
        left = rng.randint(40, 70)
        right = rng.randint(40, 70)
        arr = arr[rng.randint(20, 50) :, left : w - right]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def render_image(receipt: Receipt) -> bytes:
    """Return the receipt as a JPEG: a flat scan, or a photo with the receipt's damage."""
    rng = random.Random(receipt.seed + 2)
    paper = render_paper(receipt, rng)
    if receipt.kind == "scan":
        image = paper.filter(ImageFilter.GaussianBlur(0.4))
        quality = 85
    else:
        image = _damage(paper, receipt.damage, rng)
        quality = rng.randint(22, 40) if "jpeg" in receipt.damage else rng.randint(70, 88)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def render(receipt: Receipt) -> tuple[bytes, str]:
    """Return the file and its content type."""
    if receipt.kind == "pdf":
        return render_pdf(receipt), "application/pdf"
    return render_image(receipt), "image/jpeg"


def receipts(count: int = 400, *, seed: int = 20260, kinds: tuple[str, ...] = ()) -> list[Receipt]:
    """Return ``count`` receipts spread over the countries in turn, from one seed."""
    out = []
    for i in range(count):
        country = COUNTRIES[i % len(COUNTRIES)].code
        kind = kinds[i % len(kinds)] if kinds else None
        out.append(make(seed + i, country, kind))
    return out


def generate(directory: Path, *, count: int = 400, seed: int = 20260) -> list[tuple[Receipt, Path]]:
    """Write the receipts and a ``truth.jsonl`` of their true values into a folder."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with (directory / "truth.jsonl").open("w") as truth:
        for receipt in receipts(count, seed=seed):
            data, content_type = render(receipt)
            path = directory / f"{receipt.name}.{'pdf' if content_type.endswith('pdf') else 'jpg'}"
            path.write_bytes(data)
            row = asdict(receipt)
            row.pop("rows")
            truth.write(json.dumps({**row, "file": path.name}, default=str) + "\n")
            written.append((receipt, path))
    return written


def main() -> None:
    """Write the development receipts to a folder."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--out", default="var/receipts-dev")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20260)
    args = parser.parse_args()
    written = generate(Path(args.out), count=args.count, seed=args.seed)
    print(f"{len(written)} receipts in {args.out}")


if __name__ == "__main__":
    main()
