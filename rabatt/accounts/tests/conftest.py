from rabatt.review.tests.conftest import (  # noqa: F401
    _working_urls,
    agent,
    agent2,
    campaign,
    finance,
    supervisor,
)
