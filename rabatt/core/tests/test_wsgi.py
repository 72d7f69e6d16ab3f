"""Test that the server's entry point loads every view first, then freezes what it loaded."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import gc, json, sys
before = gc.get_freeze_count()
import rabatt.wsgi
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(),
                  "views": "rabatt.review.views" in sys.modules,
                  "api": "rabatt.api.shop" in sys.modules}))
"""


def test_the_loaded_app_is_out_of_the_collectors_sight() -> None:
    # A process of its own: freezing is for a server, not for the test run.
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["views"] is True
    assert found["api"] is True
    # Tens of thousands of objects: Django, the views, the API's schemas.
    assert found["frozen"] - found["before"] > 50_000
