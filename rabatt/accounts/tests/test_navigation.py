import re

import pytest
from django.urls import reverse

from rabatt.accounts.navigation import STAFF_PAGES, START_PAGES, check_table, pages_for
from rabatt.accounts.roles import Role
from rabatt.review.tests.factories import staff_user, verified_client

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="desk-nav staff-nav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"]+)"')

EXPECTED_NAV = {
    Role.AGENT: ["/staff/queue/"],
    Role.SUPERVISOR: ["/staff/queue/", "/staff/reports/", "/r/staff/"],
    Role.FINANCE: ["/staff/queue/", "/staff/payouts/", "/staff/reports/", "/r/staff/"],
    Role.CAMPAIGN_MANAGER: ["/staff/reports/", "/staff/campaigns/", "/r/staff/"],
    Role.PRIVACY_OFFICER: ["/staff/queue/", "/privacy/staff/"],
    Role.ADMINISTRATOR: ["/staff/queue/", "/staff/reports/", "/staff/campaigns/", "/r/staff/",
                         "/staff/people/"],
}
START = {
    Role.FINANCE: "/staff/payouts/",
    Role.CAMPAIGN_MANAGER: "/staff/reports/",
    Role.PRIVACY_OFFICER: "/privacy/staff/",
    Role.ADMINISTRATOR: "/staff/people/",
}


def nav_links(html: str) -> list[str]:
    match = NAV.search(html)
    assert match, "no staff navigation on the page"
    return [h for h in HREF.findall(match.group(0))]


def test_every_role_starts_on_a_page_it_may_open():
    assert check_table() == []
    assert set(START_PAGES) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_home_sends_each_role_to_its_start_page_and_its_nav_links_all_open(role):
    client = verified_client(staff_user(role))
    home = client.get("/staff/")
    if role in START:
        assert home.status_code == 302
        assert home["Location"] == START[role]
        home = client.get(home["Location"])
    assert home.status_code == 200
    links = nav_links(home.content.decode())
    assert links == EXPECTED_NAV[role]
    assert [reverse(p.url_name) for p in pages_for(home.wsgi_request.user)] == links
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert nav_links(page.content.decode()) == links


@pytest.mark.parametrize("role", Role.values)
def test_a_refusal_links_only_to_pages_the_role_may_open(role):
    client = verified_client(staff_user(role))
    allowed = set(EXPECTED_NAV[role])
    for page in STAFF_PAGES:
        url = reverse(page.url_name)
        if url in allowed:
            continue
        refused = client.get(url)
        assert refused.status_code == 403, url
        html = refused.content.decode()
        assert "Your role does not allow this." in html
        for href in HREF.findall(html):
            if href.startswith("/static/") or href == "/":
                continue
            assert client.get(href, follow=True).status_code == 200, (url, href)


def test_queue_answers_at_staff_for_agents_with_filters():
    client = verified_client(staff_user("agent"))
    page = client.get("/staff/?status=approved")
    assert page.status_code == 200
    assert page.context["form"].filters().statuses == ("approved",)


def test_people_page_lists_staff_with_their_brands():
    from rabatt.accounts.services import staff_create
    from rabatt.campaigns.services import brand_create

    brand_create(slug="sonos", name="Sonos Europe")
    brand_create(slug="bose", name="Bose")
    staff_create(email="s@rabatt.test", role="agent", brands=["sonos"])
    staff_create(email="b@rabatt.test", role="agent", brands=["bose"])
    operator = verified_client(staff_user("administrator"))
    html = operator.get("/staff/people/").content.decode()
    assert "s@rabatt.test" in html
    assert "b@rabatt.test" in html
    assert "Sonos Europe" in html
    assert "Bose" in html
    brand_admin = staff_user("administrator", "x@rabatt.test")
    from rabatt.accounts.services import staff_set_brands

    staff_set_brands(user=brand_admin, brands=["sonos"])
    html = verified_client(brand_admin).get("/staff/people/").content.decode()
    assert "s@rabatt.test" in html
    assert "b@rabatt.test" not in html
    assert "Bose" not in html
