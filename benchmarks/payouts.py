"""Time and peak memory of streaming pain.001 files and of reading bank reports.

Usage: python benchmarks/payouts.py [--sizes 1000 10000 100000]
       python benchmarks/payouts.py --e2e [--sizes 1000 10000 100000]

Each measurement runs in a fresh subprocess so ``ru_maxrss`` is that run's own peak; a second
run of the same work under tracemalloc gives the peak of Python allocations alone.

``--e2e`` measures the whole path on PostgreSQL (``BENCH_PG``, default
postgres://postgres@127.0.0.1:5432): per size a fresh database ``rabatt_payouts_bench``
(created and dropped here) with N approved claims written straight to the tables (one person,
data key and sealed bank details each, as the claim form stores them), then one subprocess for
``payout_batch_build`` and one for ``payout_batch_export`` plus reading the stored encrypted
file back to disk, so ``ru_maxrss`` is each step's own peak.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script, this directory comes first on sys.path, where benchmarks/queue.py would
# shadow the standard library's queue module; import from the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import machine  # noqa: E402 (after the sys.path fix)

ACCOUNTS: dict[str, tuple[str, dict[str, str]]] = {
    "DE": ("EUR", {"iban": "DE89370400440532013000"}),
    "FR": ("EUR", {"iban": "FR1420041010050500013M02606"}),
    "NO": ("NOK", {"iban": "NO9386011117947"}),
    "SE": ("SEK", {"iban": "SE4550000000058398257466"}),
    "GB": ("GBP", {"iban": "GB29NWBK60161331926819"}),
    "CH": ("CHF", {"iban": "CH9300762011623852957"}),
    "PL": ("PLN", {"iban": "PL61109010140000071219812874"}),
    "US": (
        "USD",
        {"routing_number": "021000021", "account_number": "123456789", "account_type": "checking"},
    ),
    "AU": ("AUD", {"bsb": "062-000", "account_number": "12345678"}),
    "CA": (
        "CAD",
        {"institution_number": "003", "transit_number": "12345", "account_number": "1234567"},
    ),
}
SCENARIOS = {"eur": ["DE", "FR"], "mixed": list(ACCOUNTS)}
NAMES = ["Kari Ødegård", "Jürgen Müller", "Zoë Château", "Åse Ås & Per Ås", "José García"]


def _configure_django() -> None:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)


def _payments(size: int, scenario: str) -> Callable[[], Iterator[Any]]:
    from rabatt.banking import validate_bank_account
    from rabatt.payouts.iso20022 import CreditTransfer

    countries = SCENARIOS[scenario]
    accounts = [
        validate_bank_account(country=c, currency=ACCOUNTS[c][0], data=ACCOUNTS[c][1])
        for c in countries
    ]

    def generate() -> Iterator[Any]:
        for n in range(size):
            account = accounts[n % len(accounts)]
            yield CreditTransfer(
                end_to_end_id=f"RB-{n:08d}",
                instruction_id=f"PAY-{n:08d}",
                amount=Decimal(n % 15000 + 1).scaleb(-2) + 1,
                currency=account.currency,
                creditor_name=NAMES[n % len(NAMES)],
                account=account,
                remittance=f"Rabatt claim RB-{n:08d}",
            )

    return generate


def _write(payments: Callable[[], Iterator[Any]], size: int, path: str) -> dict[str, Any]:
    from rabatt.payouts.iso20022 import Debtor, write_pain001

    debtor = Debtor(
        name="Rabatt Utbetaling AS", iban="NO9386011117947", bic="DABANO22", country="NO"
    )
    with open(path, "wb") as out:
        summary = write_pain001(
            out,
            debtor=debtor,
            message_id=f"BENCH-{size}",
            execution_date=date(2026, 3, 4),
            created_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            payments=payments,
        )
    return {"bytes": summary.size, "blocks": len(summary.groups)}


def _status_report(size: int, path: str) -> None:
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}">'
            "<CstmrPmtStsRpt><GrpHdr><MsgId>STS-1</MsgId>"
            "<CreDtTm>2026-03-03T08:00:00</CreDtTm></GrpHdr><OrgnlGrpInfAndSts>"
            "<OrgnlMsgId>BENCH</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>"
            "</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>B-001</OrgnlPmtInfId>\n"
        )
        for n in range(size):
            status = (
                "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>"
                if (n % 50 == 0)
                else "<TxSts>ACSC</TxSts>"
            )
            out.write(
                f"<TxInfAndSts><OrgnlEndToEndId>RB-{n:08d}</OrgnlEndToEndId>{status}"
                "</TxInfAndSts>\n"
            )
        out.write("</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n")


def _notification(size: int, path: str) -> None:
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"
    code = (
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd>"
    )
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{ns}">'
            "<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>NTF-1</MsgId>"
            "<CreDtTm>2026-03-05T06:00:00Z</CreDtTm></GrpHdr><Ntfctn><Id>N1</Id>"
            "<Acct><Id><IBAN>NO9386011117947</IBAN></Id></Acct>\n"
        )
        for n in range(size):
            direction, extra = (
                ("CRDT", "<RtrInf><Rsn><Cd>AC04</Cd></Rsn></RtrInf>")
                if (n % 50 == 0)
                else ("DBIT", "")
            )
            out.write(
                f'<Ntry><Amt Ccy="EUR">150.00</Amt><CdtDbtInd>{direction}</CdtDbtInd>'
                f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt>"
                f"<AcctSvcrRef>REF{n}</AcctSvcrRef>{code}<NtryDtls><TxDtls><Refs>"
                f"<EndToEndId>RB-{n:08d}</EndToEndId></Refs>"
                f'<Amt Ccy="EUR">150.00</Amt><CdtDbtInd>{direction}</CdtDbtInd>{extra}'
                "</TxDtls></NtryDtls></Ntry>\n"
            )
        out.write("</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>\n")


def _parse(path: str) -> dict[str, Any]:
    from rabatt.payouts.iso20022 import parse_bank_file

    with open(path, "rb") as source:
        report = parse_bank_file(source, max_bytes=1 << 30)
    return {"bytes": os.path.getsize(path), "outcomes": len(report.outcomes)}


def child(task: str, size: int, scenario: str) -> dict[str, Any]:
    """Run one measurement in this process and return its figures."""
    _configure_django()
    import rabatt.banking
    import rabatt.payouts.iso20022  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "file.xml")
        if task == "write":
            payments = _payments(size, scenario)

            def work() -> dict[str, Any]:
                return _write(payments, size, path)
        else:
            (_status_report if scenario == "pain.002" else _notification)(size, path)

            def work() -> dict[str, Any]:
                return _parse(path)

        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu_start = time.process_time()
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        work()
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        **result,
        "seconds": seconds,
        "cpu": cpu,
        "base_rss_kib": base_rss,
        "peak_rss_kib": peak_rss,
        "traced_peak_kib": traced_peak // 1024,
    }


# End to end through the services and models (--e2e) ---------------------------------------

DB = "rabatt_payouts_bench"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
APPROVED = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _setup() -> None:
    from benchmarks._common import django_setup

    django_setup(os.environ["RABATT_HOME"])


def e2e_seed(size: int) -> dict[str, Any]:
    """Write ``size`` approved NOK claims with sealed bank details, in chunks."""
    _setup()
    from cryptography.fernet import Fernet
    from django.contrib.auth.models import User
    from django.db import transaction

    from rabatt.accounts.services import staff_create
    from rabatt.banking import validate_bank_account
    from rabatt.campaigns.tests.factories import campaign_factory
    from rabatt.claims.models import BankDetails, Claim
    from rabatt.claims.services import bank_fingerprint
    from rabatt.codes.models import Code
    from rabatt.core import crypto
    from rabatt.payouts.services import payer_create
    from rabatt.privacy.models import Subject

    campaign = campaign_factory()
    payer_create(name="Rabatt NOK", iban="NO9386011117947", bic="DNBANOKK", country="NO",
                 currencies=["NOK"])
    for email in ("builder@rabatt.test", "approver@rabatt.test"):
        if not User.objects.filter(username=email).exists():
            staff_create(email=email, role="finance")
    account = validate_bank_account(country="NO", currency="NOK",
                                    data={"iban": "NO9386011117947"})
    plain = json.dumps({"account_holder": "Kari Ødegård", **account.as_dict()}).encode()
    master = crypto._master()  # setup only: one master key object for all the wrapping
    start = time.perf_counter()
    chunk = 2000
    for first in range(0, size, chunk):
        n = min(chunk, size - first)
        with transaction.atomic():
            keys = [Fernet.generate_key() for _ in range(n)]
            subjects = Subject.objects.bulk_create(
                Subject(email_digest=f"{first + i:064d}", wrapped_key=master.encrypt(k))
                for i, k in enumerate(keys))
            codes = Code.objects.bulk_create(
                Code(campaign=campaign, channel="retailer", code=f"BENCH{first + i:012d}",
                     status="used") for i in range(n))
            claims = Claim.objects.bulk_create(
                Claim(reference=f"RB-{(first + i) // 10000:04d}-{(first + i) % 10000:04d}",
                      campaign=campaign, code=codes[i], subject=subjects[i], status="approved",
                      first_name="Kari", last_name="Ødegård", email=f"p{first + i}@example.test",
                      address_line1="Storgata 1", postcode="0155", city="Oslo",
                      address_country="NO", purchase_country="NO", channel="retailer",
                      purchased_at=APPROVED - timedelta(days=20), currency="NOK",
                      amount=Decimal(748 + (first + i) % 700).scaleb(0) + Decimal("0.50"),
                      terms_version="1", submitted_at=APPROVED - timedelta(days=5),
                      decided_at=APPROVED,
                      payment_due_at=APPROVED + timedelta(days=30, seconds=first + i))
                for i in range(n))
            BankDetails.objects.bulk_create(
                BankDetails(claim=claims[i], sealed=Fernet(keys[i]).encrypt(plain),
                            masked=account.masked(), fingerprint=bank_fingerprint(account))
                for i in range(n))
    return {"seconds": time.perf_counter() - start}


def _e2e_measure(work: Any) -> dict[str, Any]:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    start = time.perf_counter()
    result = work()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {**result, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "base_rss_kib": base, "peak_rss_kib": peak}


def e2e_build() -> dict[str, Any]:
    _setup()
    from django.contrib.auth.models import User

    from rabatt.payouts.services import payout_batch_build

    actor = User.objects.get(username="builder@rabatt.test")

    def work() -> dict[str, Any]:
        batch = payout_batch_build(actor=actor, currency="NOK")
        return {"batch": batch.pk, "count": batch.count}

    return _e2e_measure(work)


def e2e_export(batch_id: int, out: str) -> dict[str, Any]:
    _setup()
    from django.contrib.auth.models import User

    from rabatt.payouts.services import bank_file_read, payout_batch_approve, payout_batch_export

    payout_batch_approve(batch_id=batch_id, actor=User.objects.get(
        username="approver@rabatt.test"))

    def work() -> dict[str, Any]:
        batch = payout_batch_export(batch_id=batch_id, actor=None)
        return {"bytes": batch.file_size, "count": batch.count}

    exported = _e2e_measure(work)

    def read() -> dict[str, Any]:
        _, chunks = bank_file_read(batch_id=batch_id, actor=None, via="benchmark")
        with open(out, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return {}

    again = _e2e_measure(read)
    return {**exported, "read_seconds": again["seconds"], "read_peak_rss_kib":
            again["peak_rss_kib"]}


def _e2e_run(*args: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, sys.argv[0], "--e2e-child", *args], check=True,
                         capture_output=True, text=True, env=env).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def e2e_child(args: list[str]) -> None:
    step = args[0]
    if step == "seed":
        result = e2e_seed(int(args[1]))
    elif step == "build":
        result = e2e_build()
    else:
        result = e2e_export(int(args[1]), args[2])
    print(json.dumps(result))


def e2e_main(sizes: list[int]) -> None:
    print("| payments | seed s | build wall s | build CPU s | build RSS before → peak MiB "
          "| export wall s | export CPU s | export RSS before → peak MiB | file MB "
          "| read back s | read back peak MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB],
                       check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], check=True)
        with tempfile.TemporaryDirectory(prefix="rabatt-bench-") as home:
            env = {**os.environ, "RABATT_HOME": home, "DATABASE_URL": f"{PG}/{DB}",
                   "TASKS_BACKEND": "immediate", "DJANGO_SETTINGS_MODULE": "rabatt.settings"}
            try:
                seeded = _e2e_run("seed", str(size), env=env)
                built = _e2e_run("build", env=env)
                assert built["count"] == size, built
                out = os.path.join(home, "batch.xml")
                done = _e2e_run("export", str(built["batch"]), out, env=env)
                assert done["count"] == size, done
            finally:
                subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres",
                                DB], check=True)
        print(f"| {size:,} | {seeded['seconds']:.1f} | {built['seconds']:.2f} "
              f"| {built['cpu']:.2f} | {built['base_rss_kib'] / 1024:.0f} → "
              f"{built['peak_rss_kib'] / 1024:.0f} | {done['seconds']:.2f} | {done['cpu']:.2f} "
              f"| {done['base_rss_kib'] / 1024:.0f} → {done['peak_rss_kib'] / 1024:.0f} "
              f"| {done['bytes'] / 1e6:.1f} | {done['read_seconds']:.2f} "
              f"| {done['read_peak_rss_kib'] / 1024:.0f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--child", nargs=3, metavar=("TASK", "SIZE", "SCENARIO"))
    parser.add_argument("--e2e", action="store_true", help="build and export on PostgreSQL")
    parser.add_argument("--e2e-child", nargs="+")
    args = parser.parse_args()
    if args.e2e_child:
        e2e_child(args.e2e_child)
        return
    if args.e2e:
        print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}\n")
        e2e_main(args.sizes)
        return
    if args.child:
        task, size, scenario = args.child
        print(json.dumps(child(task, int(size), scenario)))
        return
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}\n")
    print(
        "| task | payments | file MB | wall s | CPU s | payments/s (CPU) | RSS before → peak MiB "
        "| traced peak KiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    sys.stdout.flush()
    runs = [("write", "eur"), ("write", "mixed"), ("parse", "pain.002"), ("parse", "camt.054")]
    labels = {
        ("write", "eur"): "pain.001.001.09, EUR SEPA (1 block)",
        ("write", "mixed"): "pain.001.001.09, 10 countries, 10 currencies",
        ("parse", "pain.002"): "read pain.002 status report",
        ("parse", "camt.054"): "read camt.054 notification (1 entry per payment)",
    }
    for task, scenario in runs:
        for size in args.sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--child", task, str(size), scenario],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out)
            print(
                f"| {labels[task, scenario]} | {size:,} | {r['bytes'] / 1e6:.1f} "
                f"| {r['seconds']:.2f} | {r['cpu']:.2f} | {size / r['cpu']:,.0f} "
                f"| {r['base_rss_kib'] / 1024:.0f} → {r['peak_rss_kib'] / 1024:.0f} "
                f"| {r['traced_peak_kib']:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
