"""axe-core (WCAG 2.0/2.1 A and AA) on the screens a person sees: the sessions list, the waiting room and the
room (with the check-in offered, and with a conversation), on a phone and a laptop; screenshots of each."""

import pytest
from selenium.webdriver.common.by import By

from conftest import axe_violations, format_violations, screenshot, wait_for
from hearth_ui import (FAMILY_ROOM, PEER_ROOM, SIZES, assert_no_console_errors, join_session, open_invite,
                       text_of, type_and_enter, wait_composer_ready, wait_message, wait_screen, wait_shown)


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_screens_have_no_wcag_violations(clinic, browser, width, height):
    size = f"{width}x{height}"
    found: dict[str, list] = {}

    def audit(driver, screen):
        violations = axe_violations(driver)
        if violations:
            found[screen] = violations

    room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")
    sam.join(room["id"])
    sam.send(room["id"], "Hi everyone, glad to be here tonight.")

    # The sessions list.
    alex = browser(width, height)
    open_invite(alex, clinic.participant("Alex R.")["link"])
    screenshot(alex, f"sessions-{size}")
    audit(alex, "sessions")

    # The waiting room (a family member before the counselor lets him in).
    tom = browser(width, height)
    open_invite(tom, clinic.family("Tom T.")["link"])
    join_session(tom, FAMILY_ROOM)
    wait_screen(tom, "waiting")
    wait_for(tom, lambda d: "Dana M." in (text_of(d, "#waiting-text") or ""), message="the waiting room text")
    screenshot(tom, f"waiting-{size}")
    audit(tom, "waiting room")

    # The room, first with the check-in offered, then with a conversation.
    join_session(alex, PEER_ROOM)
    wait_screen(alex, "room")
    wait_shown(alex, "#checkin-send", what="the check-in")
    wait_message(alex, "Hi everyone, glad to be here tonight.", delivered=True)
    screenshot(alex, f"room-checkin-{size}")
    audit(alex, "room with the check-in")
    alex.find_element(By.ID, "checkin-skip").click()
    wait_composer_ready(alex)
    type_and_enter(alex, "Hello Sam, thanks for being here.")
    wait_message(alex, "Hello Sam, thanks for being here.", state="· Sent", delivered=True)
    sam.send(room["id"], "How was everyone's week?")
    wait_message(alex, "How was everyone's week?", delivered=True)
    screenshot(alex, f"room-{size}")
    audit(alex, "room")

    # The same room and waiting room in dark mode (prefers-color-scheme: dark) keep their contrast.
    for driver in (alex, tom):
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches")
    screenshot(alex, f"room-dark-{size}")
    audit(alex, "room (dark)")
    audit(tom, "waiting room (dark)")

    report = "\n\n".join(f"== {screen} at {size} ==\n{format_violations(v)}" for screen, v in found.items())
    assert not found, "WCAG 2.1 A/AA violations:\n" + report
    assert_no_console_errors(alex)
    assert_no_console_errors(tom)
