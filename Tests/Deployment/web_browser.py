#!/usr/bin/python3
"""The web console in a real browser (headless Chromium through chromedriver), against the
console the deployment suite started from the shipped run script. Each check prints one
"ok NAME" or "FAIL NAME: why" line; deploy.sh counts them.

    web_browser.py BASE ADMIN_PW USER USER_PW MAILDIR ARTIFACTS HOSTILE_ID OTHER_ID
"""
import glob
import os
import sys
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.common.by import By

if sys.argv[1] == "link":
    # web_browser.py link URL MAILDIR ARTIFACTS: a digest's release link, clicked without a login.
    link, maildir, artifacts = sys.argv[2:5]
else:
    base, admin_pw, user, user_pw, maildir, artifacts, hostile_id, other_id = sys.argv[1:9]
os.makedirs(artifacts, exist_ok=True)


def check(name, ok, why=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(why)), flush=True)


def browser():
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,900", "--disable-dev-shm-usage"):
        o.add_argument(a)
    return webdriver.Chrome(options=o)


def inbox():
    return len(glob.glob(maildir + "/new/*")) + len(glob.glob(maildir + "/cur/*"))


def wait_inbox(n):
    for _ in range(150):
        if inbox() >= n:
            return True
        time.sleep(0.2)
    return False


def wait_for(d, text):
    """Whether the page shows `text` within 5 s (a click's page loads after click() returns)."""
    for _ in range(50):
        if text in d.page_source:
            return True
        time.sleep(0.1)
    return False


def login(d, name, pw):
    d.delete_all_cookies()
    d.get(base + "/login")
    d.find_element(By.NAME, "name").send_keys(name)
    d.find_element(By.NAME, "password").send_keys(pw)
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    for _ in range(50):
        if "Quarantine" in d.title:
            return True
        time.sleep(0.1)
    return False


if sys.argv[1] == "link":
    d = browser()
    try:
        before = inbox()
        d.get(link)
        d.save_screenshot(artifacts + "/digest-link.png")
        check("the digest link shows the message and a release button (no login)", len(d.find_elements(By.CSS_SELECTOR, "main form button")) == 1)
        check("opening the link released nothing yet", inbox() == before)
        d.find_element(By.CSS_SELECTOR, "main form button").click()
        check("the digest link's button releases it", wait_for(d, "Released to"), d.find_element(By.TAG_NAME, "main").text[:200])
        check("the message released from the digest is delivered", wait_inbox(before + 1), inbox())
    finally:
        d.quit()
    sys.exit(0)

d = browser()
try:
    # The administrator: log in, list, search, view the hostile message.
    check("admin logs in", login(d, "admin", admin_pw), d.title)
    d.save_screenshot(artifacts + "/quarantine.png")
    check("admin sees the hostile message and the other user's", hostile_id in d.page_source and other_id in d.page_source)
    d.get(base + "/quarantine?subject=script")
    rows = d.find_elements(By.CSS_SELECTOR, "input[name='ids[]']")
    check("search by subject finds the hostile message alone", len(rows) == 1 and rows[0].get_attribute("value") == hostile_id, len(rows))
    d.get(base + "/quarantine/" + hostile_id)
    d.save_screenshot(artifacts + "/message.png")
    check("the hostile message's scripts never ran", d.execute_script("return window.qsentryPwned === undefined && document.scripts.length === 0"))
    check("its remote image is not loaded (no img element)", len(d.find_elements(By.TAG_NAME, "img")) == 0)
    check("its javascript: link is text, not a link", len(d.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")) == 0)
    check("its script is shown as text", "<script>" in d.find_element(By.TAG_NAME, "main").text)
    with urllib.request.urlopen(base + "/login") as r:
        csp = r.headers.get("Content-Security-Policy", "")
    check("pages carry the no-script Content-Security-Policy", "default-src 'none'" in csp and "script-src" not in csp, csp)

    # CSRF: the session cookie alone does not change anything.
    session = d.get_cookie("qsentry_session")["value"]
    req = urllib.request.Request(base + "/quarantine/action", data=("action=delete&ids[]=" + hostile_id).encode(),
                                 headers={"Cookie": "qsentry_session=" + session, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(req)
        check("a delete without the CSRF token is refused", False, "accepted")
    except urllib.error.HTTPError as e:
        check("a delete without the CSRF token is refused", e.code == 403, e.code)

    # A list edit: a bad line is refused and nothing written; a good one is applied.
    d.get(base + "/lists/ipblock")
    box = d.find_element(By.NAME, "text")
    box.clear()
    box.send_keys("999.1.2.3\n")
    d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    check("a bad ipblock line is refused and shown", wait_for(d, "Nothing was saved") and "999.1.2.3" in d.page_source)
    d.save_screenshot(artifacts + "/list-refused.png")
    box = d.find_element(By.NAME, "text")
    box.clear()
    box.send_keys("127.0.0.13\n")
    d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    check("a good ipblock line is saved", wait_for(d, "Saved 1 lines"), d.find_element(By.TAG_NAME, "main").text[:200])
    for page in ("bans", "stats", "check"):
        d.get(base + "/" + page)
        d.save_screenshot(artifacts + "/" + page + ".png")
        if page == "stats":
            check("the statistics page shows the decisions from the smtpd log", "Decisions by layer" in d.page_source
                  and "qsentry-conn" not in d.find_element(By.CSS_SELECTOR, "main").text[:0])

    # The mailbox user: only their own mail; the other address's message does not exist for them.
    check("the mailbox user logs in with the mail password", login(d, user, user_pw), d.title)
    d.save_screenshot(artifacts + "/user-quarantine.png")
    check("the user sees their message", hostile_id in d.page_source)
    check("the user does not see mail to another address", other_id not in d.page_source)
    d.get(base + "/quarantine/" + other_id)
    check("another address's message is 'not found' for the user", "No such page or message" in d.page_source)
    d.get(base + "/lists")
    check("the user may not open the lists", "Only administrators" in d.page_source)

    # Release through the real qmail-queue: the message arrives in the Maildir.
    before = inbox()
    d.get(base + "/quarantine/" + hostile_id)
    d.find_element(By.CSS_SELECTOR, "button[value=release-allow]").click()
    check("the user releases their message and allows its sender", wait_for(d, "1 message released"), d.find_element(By.TAG_NAME, "main").text[:200])
    check("the released message is delivered to the Maildir", wait_inbox(before + 1), inbox())
    d.get(base + "/settings")
    d.save_screenshot(artifacts + "/user-settings.png")
    check("the user's settings list the sender they allowed", "mallory@elsewhere.example" in d.find_element(By.TAG_NAME, "main").text)
finally:
    d.quit()
