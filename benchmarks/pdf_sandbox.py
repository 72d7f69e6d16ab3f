"""Measure what running pdfium in a memory-limited child costs, beside doing it in-process.

Run: ``python benchmarks/pdf_sandbox.py``. Prints wall medians and the children's CPU time
(wall time on a shared machine is mostly waiting for a core; CPU seconds are the cost).
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")


def median_wall(run: Callable[[], object], times: int) -> float:
    """Return the median wall time of ``times`` runs."""
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def children_cpu() -> float:
    """Return the CPU seconds used by finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    """Print the table."""
    import pypdfium2 as pdfium

    from rabatt.core.pdf import pdf_inspect, pdf_pages
    from rabatt.receipts.tests import hostile

    data = hostile.pdf_text()

    def in_process() -> None:
        pdf = pdfium.PdfDocument(data)
        for index in range(len(pdf)):
            pdf[index].close()
        pdf.close()

    rows = [("open and load 3 pages, in-process", median_wall(in_process, 10), 0.0)]
    for name, run, times in (
        ("open and load 3 pages, in the child", lambda: pdf_inspect(data, max_pages=20), 10),
        ("render page 1 at 300 dpi, in the child", lambda: pdf_pages(data, indices=[0],
                                                                     dpi=300), 5),
    ):
        before = children_cpu()
        wall = median_wall(run, times)
        rows.append((name, wall, (children_cpu() - before) / times))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'what':42} {'wall median':>12} {'child CPU':>10}")
    for name, wall, cpu in rows:
        print(f"{name:42} {wall:11.4f}s {cpu:9.3f}s")


if __name__ == "__main__":
    main()
