"""WSGI entry point for production servers (gunicorn in ``rabatt serve``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rabatt.settings")
application = get_wsgi_application()

# Every view, schema and template tag is loaded now, not by the first requests; then the
# loaded app (some 150,000 objects that live as long as the process) is moved out of the
# garbage collector's sight. A full collection then scans a fifth of the objects: 13 ms
# instead of 66 ms here, a pause that held every thread of the worker and set the p99
# (benchmarks/README.md, "Load").
get_resolver().url_patterns  # noqa: B018 (imports every app's URLs and views)
gc.freeze()
