"""A room holding 2,000 messages: the page shows the latest page at once and older ones only on demand, so the
DOM stays small and the room stays responsive; paging back reaches the very first message, in order."""

import pytest
from selenium.webdriver.common.by import By

from conftest import screenshot, wait_for
from hearth_ui import assert_no_console_errors, enter_room, wait_message

PEER_ROOM = "Peer support: open chat"
TOTAL = 2000


@pytest.mark.hearth_env(HEARTH_SEND_RATE_PER_SECOND="0")
@pytest.mark.timeout_seconds(240)
def test_a_room_with_2000_messages_renders_the_latest_page_and_pages_back_on_demand(clinic, browser):
    room = clinic.room(PEER_ROOM)
    with clinic.connect("Sam T.") as sam:
        sam.join(room["id"])
        # Pipelined: every send first, then every ack (the server answers each, in order of commit).
        for number in range(1, TOTAL + 1):
            sam.send_raw({"type": "send", "room": room["id"], "body": f"message {number}", "client_id": f"bulk-{number}"})
        sam.wait_frames(TOTAL, type="ack", timeout=120)

    driver = browser(1280, 800)
    enter_room(driver, clinic.participant("Alex R.")["link"], PEER_ROOM)
    wait_message(driver, f"message {TOTAL}")
    rendered = driver.execute_script("return document.querySelectorAll('#messages > li').length")
    assert rendered <= 100, f"the room drew {rendered} messages at once; it should draw the latest page only"

    def seqs():
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#messages > li[data-seq]')).map(li => Number(li.dataset.seq))")

    # "Load earlier messages" until the first message is there; each press adds older messages above.
    presses = 0
    while driver.execute_script("return !document.getElementById('load-earlier').hidden"):
        before = seqs()[0]
        driver.find_element(By.ID, "load-earlier").click()
        presses += 1
        wait_for(driver, lambda d: seqs()[0] < before or d.execute_script(
            "return document.getElementById('load-earlier').hidden"), timeout=20, message="older messages to appear")
        assert presses <= 40, "paging back should take about 20 presses of 100 messages"
    shown = seqs()
    assert shown == list(range(1, TOTAL + 1)), "every message once, in order"
    assert driver.execute_script(
        "return document.querySelector('#messages > li[data-seq=\"1\"] .msg-body').textContent") == "message 1"
    screenshot(driver, "large-room-1280x800")
    assert_no_console_errors(driver)
