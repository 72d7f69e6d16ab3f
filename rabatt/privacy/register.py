"""The register of processing activities (GDPR Art. 30), generated from the data map."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string

from rabatt.privacy.classification import (
    PURPOSES,
    RETENTION,
    Basis,
    Category,
    Erasure,
    datamap,
)

COLUMNS = ["model", "field", "data_subjects", "category", "purposes", "legal_bases",
           "retention", "erasure", "note"]
SUBJECTS = {"subject": "claimants and code recipients", "staff": "staff"}


def register_rows() -> list[dict[str, str]]:
    rows = []
    for label in sorted(datamap()):
        entry = datamap()[label]
        for name, decl in entry.personal_fields().items():
            rows.append({
                "model": label, "field": name, "data_subjects": SUBJECTS[decl.of],
                "category": str(Category(decl.category).label),
                "purposes": "; ".join(str(PURPOSES[p].label) for p in decl.purposes),
                "legal_bases": "; ".join(sorted({str(Basis(PURPOSES[p].basis).label)
                                                 for p in decl.purposes})),
                "retention": str(RETENTION[decl.retention].label),
                "erasure": str(Erasure(decl.erasure).label), "note": decl.note,
            })
    return rows


def register_activities() -> list[dict[str, Any]]:
    """One processing activity per purpose: basis, data, subjects, retention."""
    out = []
    rows = register_rows()
    for purpose in PURPOSES.values():
        label = str(purpose.label)
        mine = [r for r in rows if label in r["purposes"].split("; ")]
        out.append({
            "purpose": label, "description": str(purpose.description),
            "basis": str(Basis(purpose.basis).label),
            "categories": sorted({r["category"] for r in mine}),
            "subjects": sorted({r["data_subjects"] for r in mine}),
            "retention": sorted({r["retention"] for r in mine}),
            "fields": [f"{r['model']}.{r['field']}" for r in mine],
        })
    return out


def register_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(register_rows())
    return out.getvalue()


def register_html() -> str:
    return render_to_string("privacy/register.html", {
        "activities": register_activities(), "rows": register_rows(), "columns": COLUMNS,
    })
