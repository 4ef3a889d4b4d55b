"""Check-in → plan → move without dragging → publish → phones show their table → projector plan."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PHONE, TABLET, assert_accessible
from tests.browser.test_foundation import login

pytestmark = pytest.mark.timeout(180)


def test_rounds_from_the_tablet(new_page, live, demo) -> None:
    tablet = new_page(TABLET)
    login(tablet, live, demo)
    phone = new_page(PHONE, is_mobile=True, has_touch=True)
    phone.goto(demo["members"][0]["join_url"])
    phone.wait_for_selector("#conn[data-state=open]")
    projector = new_page({"width": 1920, "height": 1080})
    projector.goto(demo["projector_url"])
    projector.wait_for_selector("#conn[data-state=open]")

    tablet.goto(f"{demo['console_url']}/rounds")
    assert_accessible(tablet)
    checkin = tablet.get_by_role("group", name="Hvem er her?")
    checkin.get_by_label(demo["members"][-1]["name"], exact=True).uncheck()
    tablet.get_by_role("button", name="Gem fremmøde").click()
    tablet.wait_for_url(re.compile(r"/rounds"))
    tablet.fill("input[name=table_size]", "4")
    tablet.get_by_role("button", name="Planlæg", exact=True).click()
    tablet.wait_for_selector(".draft-round")
    assert_accessible(tablet)
    # move the phone's person to table 1 with the non-drag control
    me = demo["members"][0]
    tablet.select_option(f"select[id$='-{me['id']}']", "1")
    tablet.locator(f"li[data-member='{me['id']}']").get_by_role("button").click()
    tablet.wait_for_selector(".draft-round")
    tablet.get_by_role("button", name=re.compile(r"Send runde \d+ ud")).click()
    tablet.wait_for_selector("#current .table-card")

    phone.wait_for_selector("#my-table >> text=Gå til bord 1")
    projector.wait_for_selector("#plan-by-name")
    assert me["name"] in projector.locator("#plan-by-name").inner_text()
    assert projector.locator("#plan-by-table .plan-table-card").count() >= 2
    absent = demo["members"][-1]["name"]
    assert absent not in projector.locator("#plan-by-name").inner_text()
    assert_accessible(projector)
    assert_accessible(phone)
