"""Quick exit: one press (or Escape twice) leaves for a neutral page, forgets the tab's data, and Back does not
bring the chat back."""

import json
from urllib.request import urlopen

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from conftest import wait_for
from hearth_ui import (PEER_ROOM, assert_no_console_errors, enter_room, find_by_name, open_invite,
                       session_storage_length)

NEUTRAL_TITLE = "Easy weeknight recipes"
BEFORE_PAGE = "data:text/html,<!doctype html><title>Before</title><h1>A page from before</h1>"


def _quick_exit_url(clinic) -> str:
    with urlopen(clinic.url + "/client.json", timeout=5) as response:
        settings = json.loads(response.read())
    assert settings.get("quick_exit_url") == "/recipes.html", settings
    return clinic.url + settings["quick_exit_url"]


def _assert_left_for_neutral_page(driver, clinic, target):
    wait_for(driver, lambda d: d.current_url == target and d.title == NEUTRAL_TITLE,
             message=f"the neutral page {target} titled {NEUTRAL_TITLE!r}")
    assert session_storage_length(driver) == 0, "sessionStorage on the origin still holds something"
    assert driver.execute_script("return document.getElementById('screen-room') === null")
    # Back goes to what came before the chat, never to the chat.
    driver.back()
    wait_for(driver, lambda d: d.title == "Before", timeout=10,
             message=f"Back to lead to the page from before (it is at {driver.current_url}, titled {driver.title!r})")
    assert driver.current_url.startswith("data:"), driver.current_url
    assert clinic.url not in driver.current_url


def test_quick_exit_button_from_the_room(clinic, browser):
    alex = clinic.participant("Alex R.")
    target = _quick_exit_url(clinic)
    peer_room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")
    sam.join(peer_room["id"])

    driver = browser(390, 844)
    driver.get(BEFORE_PAGE)
    enter_room(driver, alex["link"], PEER_ROOM)
    button = find_by_name(driver, "button", "Quick exit")
    assert button.get_attribute("id") == "quick-exit" and button.is_displayed()
    assert_no_console_errors(driver)
    button.click()

    # The chat connection is closed at once: the room sees Alex leave.
    sam.wait_frame(type="presence", room=peer_room["id"], state="left",
                   predicate=lambda f: f["member"]["name"] == "Alex R.")
    _assert_left_for_neutral_page(driver, clinic, target)
    assert_no_console_errors(driver)


def test_escape_twice_from_the_sessions_screen(clinic, browser):
    alex = clinic.participant("Alex R.")
    target = _quick_exit_url(clinic)
    driver = browser(1280, 800)
    driver.get(BEFORE_PAGE)
    open_invite(driver, alex["link"])
    assert_no_console_errors(driver)
    ActionChains(driver).send_keys(Keys.ESCAPE).send_keys(Keys.ESCAPE).perform()
    _assert_left_for_neutral_page(driver, clinic, target)
    assert_no_console_errors(driver)
