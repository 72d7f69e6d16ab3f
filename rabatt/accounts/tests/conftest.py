from rabatt.review.tests.conftest import (  # noqa: F401
    agent,
    agent2,
    campaign,
    finance,
    supervisor,
)
