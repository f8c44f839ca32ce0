"""A family member in the browser: a single-use invitation, the waiting room, admission and denial."""

from selenium.webdriver.common.by import By

from conftest import screenshot, wait_for
from peer import HearthPeer
from hearth_ui import (FAMILY_ROOM, assert_header, assert_no_console_errors, describe_room, is_shown, join_session,
                       open_invite, saved_state, text_of, type_and_enter, wait_composer_ready, wait_message,
                       wait_screen)


def _wait_for_knock(dana, room_id, member_id):
    return dana.wait_frame(type="knock", room=room_id, state="waiting",
                           predicate=lambda f: f["member"]["id"] == member_id)


def test_invited_family_member_waits_and_is_admitted(clinic, browser):
    room = clinic.room(FAMILY_ROOM)
    tom = clinic.family("Tom T.")
    dana = clinic.connect("Dana M.")
    invitation = dana.invite(room["id"], tom["id"])
    assert invitation["type"] == "invitation" and invitation["member"]["name"] == "Tom T.", invitation
    invite_token = invitation["token"]

    driver = browser(390, 844)
    open_invite(driver, clinic.url + "/#invite=" + invite_token)
    assert invite_token not in driver.current_url and "invite" not in driver.current_url, driver.current_url
    assert "Tom T." in text_of(driver, "#greeting")
    join_session(driver, FAMILY_ROOM)

    wait_screen(driver, "waiting")
    wait_for(driver, lambda d: "Dana M." in (text_of(d, "#waiting-text") or ""),
             message="the waiting room text naming Dana M.")
    assert text_of(driver, "#waiting-heading") == "Waiting room"
    assert "will let you in" in text_of(driver, "#waiting-text"), text_of(driver, "#waiting-text")
    assert_header(driver)
    screenshot(driver, "family-waiting-390x844")

    _wait_for_knock(dana, room["id"], tom["id"])
    dana.admit(room["id"], tom["id"])

    wait_screen(driver, "room")
    wait_for(driver, lambda d: text_of(d, "#room-title") == FAMILY_ROOM, message="the family room's title")
    # Family members are never offered the check-in; nothing stands before the composer.
    wait_composer_ready(driver)
    assert not is_shown(driver, "#checkin-send"), describe_room(driver)
    assert not is_shown(driver, "#agree"), describe_room(driver)

    # The spent invitation was replaced by the session token the welcome carried.
    saved = saved_state(driver)
    assert saved is not None and saved.get("token"), saved
    session_token = saved["token"]
    assert session_token != invite_token, "sessionStorage still holds the single-use invitation"
    assert session_token != tom["token"]
    with HearthPeer(clinic.ws_url, name="spent-invite") as probe:
        refused = probe.request("hello", token=invite_token, expect_error=True)
        assert refused["code"] == "unauthorized" and "already been used" in refused["message"], refused
    with HearthPeer(clinic.ws_url, name="tom-session") as probe:
        welcome = probe.hello(session_token)
        assert welcome["type"] == "welcome" and welcome["user"]["name"] == "Tom T.", welcome
        assert [r["id"] for r in welcome["rooms"]] == [room["id"]], welcome
        assert "session_token" not in welcome, "the stored token should be the session token, not an invitation"

    # Tom writes; Dana, in the room, reads it.
    dana.join(room["id"])
    type_and_enter(driver, "Hello, this is Tom.")
    wait_message(driver, "Hello, this is Tom.", state="· Sent", delivered=True)
    got = dana.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "Hello, this is Tom.")
    assert got["from"]["name"] == "Tom T." and got["from"]["role"] == "family", got
    screenshot(driver, "family-room-390x844")
    assert_no_console_errors(driver)


def test_family_member_denied_sees_the_counselors_words(clinic, browser):
    room = clinic.room(FAMILY_ROOM)
    tom = clinic.family("Tom T.")
    dana = clinic.connect("Dana M.")

    driver = browser(1280, 800)
    open_invite(driver, tom["link"])
    join_session(driver, FAMILY_ROOM)
    wait_screen(driver, "waiting")
    wait_for(driver, lambda d: "Dana M." in (text_of(d, "#waiting-text") or ""),
             message="the waiting room text naming Dana M.")

    _wait_for_knock(dana, room["id"], tom["id"])
    words = "Please call the front desk before joining today."
    dana.deny(room["id"], tom["id"], message=words)

    wait_for(driver, lambda d: text_of(d, "#waiting-heading") == "Not admitted this time",
             message="the heading 'Not admitted this time'")
    assert text_of(driver, "#waiting-text") == words, text_of(driver, "#waiting-text")
    assert driver.execute_script("return document.getElementById('waiting-text').checkVisibility()")
    wait_screen(driver, "waiting")
    assert not is_shown(driver, "#composer")
    # The way back is offered.
    back = driver.find_element(By.ID, "waiting-back")
    assert back.is_displayed() and back.accessible_name == "Back to my sessions", back.accessible_name
    screenshot(driver, "family-denied-1280x800")
    back.click()
    wait_screen(driver, "sessions")
    assert_no_console_errors(driver)
