"""An associate on a phone with the inbox open: a text arrives and shows without a reload, they open it,
see the customer beside it, answer with a saved reply they edit, and the reply is sent."""

from __future__ import annotations

from typing import Any

from django_scopes import scope
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    log_in,
    screenshot,
)
from tests.conftest import World, make_customer
from trunkshow.customers.services import ConsentGrant
from trunkshow.inbox.models import SavedReply
from trunkshow.messaging.models import Message, MessageStatus
from trunkshow.messaging.services import message_receive, message_status_apply


def _text_in(world: World, body: str, sid: str) -> Message:
    with scope(store=world.a):
        message, _created = message_receive(
            store=world.a,
            channel="sms",
            from_address="+12125550142",
            body=body,
            provider="sandbox",
            provider_id=sid,
        )
    return message


def _menu_width(select: Any) -> tuple[float, float]:
    """The menu's width on the page, and the width its longest name needs (as wide as its content)."""
    width, needed = select.evaluate(
        """s => { const w = s.getBoundingClientRect().width; s.style.cssText = "flex: none; width: max-content";
          const need = s.getBoundingClientRect().width; s.style.cssText = ""; return [w, need]; }"""
    )
    return round(width), round(needed)


def test_a_text_arrives_live_and_is_answered_from_a_phone(phone: Any, world: World, live_server_url: str) -> None:
    page = phone
    make_customer(
        world.a,
        first_name="Zsófia",
        last_name="Szirmay",
        phones=["+12125550142"],
        interests=[("stone", "Sapphire")],
        assigned_associate_id=world.a_associate.user.pk,
        # She agreed to WhatsApp too: the menu offers it beside the channel she texted on.
        consents=[ConsentGrant(channel="whatsapp", purpose="service")],
    )
    with scope(store=world.a):
        SavedReply.objects.create(store=world.a, title="It's ready", body="Hi {first_name}, it is ready for you.")
    log_in(page, live_server_url, world.a_associate)
    page.goto("/inbox/")
    expect(
        page.get_by_text("Nothing waiting for you", exact=False).or_(page.get_by_text("No conversations"))
    ).to_be_visible()

    # The text arrives while the page is open: the list and a toast show it without a reload.
    _text_in(world, "Is my ring resized yet? <b>Saturday</b> would be ideal", "SMlive1")
    row = page.locator(".inbox-row").first
    expect(row).to_contain_text("Zsófia Szirmay", timeout=15_000)
    expect(row).to_contain_text("1 new")
    # A pill like the channel beside it, not a dark square.
    radius, padding = row.locator(".badge-unread").evaluate(
        "b => [parseFloat(getComputedStyle(b).borderTopLeftRadius), parseFloat(getComputedStyle(b).paddingLeft)]"
    )
    assert radius >= 8 and padding >= 6, (radius, padding)
    # The search box's hint is read whole on a phone (it was cut to "Search messages and name"), beside
    # the room Chromium keeps for a search box's clear button.
    needed, room = page.locator("#inbox-q").evaluate(
        """i => { const s = getComputedStyle(i); const c = document.createElement("canvas").getContext("2d");
          c.font = `${s.fontSize} ${s.fontFamily}`;
          return [c.measureText(i.placeholder).width,
                  i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; }"""
    )
    assert needed <= room - 20, f"the hint needs {needed:.0f}px, the box has {room:.0f}px"
    expect(page.locator(".toast")).to_contain_text("Is my ring resized yet? <b>Saturday</b> would be ideal")
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-list-phone")
    assert_accessible(page)

    row.get_by_role("link").click()
    expect(page.locator("#convo-title")).to_have_text("Zsófia Szirmay")
    expect(page.locator(".thread")).to_contain_text("<b>Saturday</b>")  # text, never markup
    expect(page.locator(".convo-side")).to_contain_text("Sapphire")
    # The channel menu shows its whole names on a phone (it once showed "Text m"), the buttons beside it.
    channel = page.get_by_label("Send by")
    expect(channel.locator("option")).to_have_text(["Text message", "WhatsApp"])
    width, needed = _menu_width(channel)
    assert width >= needed, f"the channel menu is {width}px wide; its names need {needed}px"
    for name in ("Add note", "Send"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{name}: {box}"
    page.locator(".saved-replies > summary").click()
    page.get_by_role("button", name="It's ready").click()
    box = page.get_by_label("Your reply")
    expect(box).to_have_value("Hi Zsófia, it is ready for you.")
    box.press("End")
    box.type(" Saturday at 11 works.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".msg-out").last).to_contain_text("Hi Zsófia, it is ready for you. Saturday at 11 works.")
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-conversation-phone")
    assert_accessible(page)

    # A second text shows up in the open thread by itself.
    _text_in(world, "Wonderful, thank you!", "SMlive2")
    expect(page.locator(".msg-in").last).to_contain_text("Wonderful, thank you!", timeout=15_000)
    with scope(store=world.a):
        reply = Message.objects.get(direction="out", author=world.a_associate.user)
    assert reply.body == "Hi Zsófia, it is ready for you. Saturday at 11 works."

    # The carrier reports it delivered: the reply's status changes in the open thread by itself
    # (the page once asked only for messages after the last one, and kept showing the old status).
    mine = page.locator(f"#m{reply.pk} .msg-status")
    expect(mine).not_to_have_text("Delivered")
    with scope(store=world.a):
        message_status_apply(
            store=world.a, provider=reply.provider, provider_id=reply.provider_id, status=MessageStatus.DELIVERED
        )
    expect(mine).to_have_text("Delivered", timeout=15_000)
    assert reply.to_address == "+12125550142"


def test_on_a_desk_the_composer_keeps_its_menu_and_buttons_on_one_line(
    desktop: Any, world: World, live_server_url: str
) -> None:
    page = desktop
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    message = _text_in(world, "Is my ring resized yet?", "SMdesk1")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")
    channel = page.get_by_label("Send by")
    expect(channel).to_have_value("sms")
    width, needed = _menu_width(channel)
    assert width == needed  # as wide as "Text message", not stretched across the pane
    tops = {
        round(box["y"])
        for box in (
            channel.bounding_box(),
            page.get_by_role("button", name="Add note").bounding_box(),
            page.get_by_role("button", name="Send", exact=True).bounding_box(),
        )
        if box is not None
    }
    assert len(tops) == 1, tops
    screenshot(page, "inbox-conversation-desktop")


# ---- the conversation on a phone and a desk: long pastes, the newest message, the bottom bar ----------


def _newest_and_composer(page: Any) -> dict[str, float]:
    """Where the newest message is against the sticky composer, the top bar and the screen."""
    return page.evaluate(
        """() => {
          const last = document.querySelector("#thread > li:last-child").getBoundingClientRect();
          return { top: last.top, bottom: last.bottom, composer: document.getElementById("composer").getBoundingClientRect().top,
                   bar: document.querySelector(".topbar").getBoundingClientRect().bottom, screen: innerHeight };
        }"""
    )


def _assert_newest_shown(page: Any, where: str) -> None:
    place = _newest_and_composer(page)
    assert place["bottom"] <= place["composer"] + 0.5, f"{where}: the newest message is behind the composer: {place}"
    assert place["top"] >= place["bar"] - 0.5, f"{where}: the newest message is above the screen: {place}"


def _thread_with_photos(world: World, tmp_photos: int = 6) -> int:
    """A conversation where Ali sent notes with photos of pieces, and the customer wrote last."""
    import io

    from tests.messaging.test_photos import jpeg_with_gps
    from trunkshow.messaging.photos import photo_prepare
    from trunkshow.messaging.services import note_add

    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    first = _text_in(world, "Could I see the rings you mentioned?", "SMph0")
    with scope(store=world.a):
        for n in range(tmp_photos):
            size = (1200, 800) if n % 2 else (600, 900)
            photo = photo_prepare(io.BytesIO(jpeg_with_gps(*size)), filename=f"ring{n}.jpg")
            note_add(
                store=world.a,
                actor=world.a_associate.user,
                conversation=first.conversation,
                body=f"Ring {n}",
                photos=[photo],
            )
    _text_in(world, "The third one, please. Could you hold it until Saturday?", "SMph1")
    return first.conversation_id


def _open_with_slow_photos(page: Any, url: str) -> None:
    """Open the conversation with its photos answering only after the page has scrolled (a slow phone network)."""
    held: list[Any] = []
    page.route("**/inbox/attachments/*/thumb/", lambda route: held.append(route))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_timeout(500)
    for route in held:
        route.continue_()
    page.unroute("**/inbox/attachments/*/thumb/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#thread img')].filter(i => i.getBoundingClientRect().bottom > 0)"
        ".every(i => i.complete && i.naturalWidth)"
    )
    page.wait_for_timeout(300)


def test_a_long_unbroken_paste_wraps_in_the_reply_box_and_never_widens_the_phone(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    message = _text_in(world, "Is my ring resized yet?", "SMlong1")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")
    box = page.get_by_label("Your reply")
    send = page.get_by_role("button", name="Send", exact=True)
    url = "https://maison.example.com/collections/sapphire-halo?" + "&".join(f"utm_{n}=campaign{n}" for n in range(12))
    for text in (url, "x" * 5000):
        box.fill(text)
        assert_no_horizontal_scroll(page)
        width = box.evaluate("el => el.getBoundingClientRect().width")
        assert width <= 390 - 2 * 16, f"the reply box is {width}px wide on a 390px phone"
        expect(send).to_be_in_viewport(ratio=1)
        sent = send.bounding_box()
        assert sent is not None and sent["x"] + sent["width"] <= 390, sent
    screenshot(page, "inbox-long-paste-phone")


def test_a_conversation_opens_on_its_newest_message_above_the_composer(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    for n in range(14):
        message = _text_in(world, f"Message {n}: a question about the sapphire halo ring and its sizing.", f"SMn{n}")
    with scope(store=world.a):
        Message.objects.filter(pk=message.pk).update(
            direction="out",
            status=MessageStatus.FAILED,
            error="The carrier refused the number.",
            author=world.a_associate.user,
        )
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")
    page.wait_for_timeout(300)
    retry = page.get_by_role("button", name="Try again")
    expect(retry).to_be_in_viewport(ratio=1)
    box = retry.bounding_box()
    composer = page.locator("#composer").bounding_box()
    assert box is not None and composer is not None and box["y"] + box["height"] <= composer["y"], (box, composer)
    _assert_newest_shown(page, "phone, failed last message")
    page.screenshot(
        path=str(screenshot(page, "inbox-newest-failed-phone").with_name("inbox-newest-failed-phone-view.png"))
    )


def test_a_conversation_with_photos_opens_on_its_newest_message_on_a_phone(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    conversation_id = _thread_with_photos(world)
    log_in(page, live_server_url, world.a_associate)
    _open_with_slow_photos(page, f"/inbox/{conversation_id}/")
    expect(page.locator("#thread > li:last-child")).to_contain_text("Could you hold it until Saturday?")
    _assert_newest_shown(page, "phone with photos")
    page.screenshot(path=str(screenshot(page, "inbox-photos-phone").with_name("inbox-photos-phone-view.png")))


def test_a_conversation_with_photos_opens_on_its_newest_message_on_a_desk(
    desktop: Any, world: World, live_server_url: str
) -> None:
    page = desktop
    conversation_id = _thread_with_photos(world)
    log_in(page, live_server_url, world.a_associate)
    _open_with_slow_photos(page, f"/inbox/{conversation_id}/")
    _assert_newest_shown(page, "desk with photos")
    page.screenshot(path=str(screenshot(page, "inbox-photos-desktop").with_name("inbox-photos-desktop-view.png")))


def test_on_a_phone_the_inbox_bottom_bar_is_one_row_and_never_covers_the_last_conversation(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    for n in range(9):
        number = f"+1212555{n:04d}"
        make_customer(world.a, first_name=f"Customer{n}", phones=[number])
        with scope(store=world.a):
            message_receive(
                store=world.a,
                channel="sms",
                from_address=number,
                body=f"Hello {n}",
                provider="sandbox",
                provider_id=f"SMb{n}",
            )
    log_in(page, live_server_url, world.a_owner)
    page.goto("/inbox/?view=all")
    bar = page.locator(".page-head .action-bar")
    expect(page.get_by_role("button", name="Notify me")).to_be_visible()  # Chromium offers web push
    height = bar.evaluate("el => el.getBoundingClientRect().height")
    assert height <= 72, f"the bottom bar is {height}px tall"
    for button in bar.locator(".btn").all():
        lines = button.evaluate(
            "b => Math.round(b.getBoundingClientRect().height / parseFloat(getComputedStyle(b).lineHeight))"
        )
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), button.inner_text()
        assert lines <= 2, (button.inner_text(), lines)  # one line of text within its 44px
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    last = page.locator(".inbox-row").last.bounding_box()
    top = bar.bounding_box()
    assert last is not None and top is not None and last["y"] + last["height"] <= top["y"], (last, top)
    assert_no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot(page, "inbox-list-end-phone").with_name("inbox-list-end-phone-view.png")))


def _texted(world: World, number: str, *bodies: str, sid: str, at: Any = None) -> None:
    for i, body in enumerate(bodies):
        with scope(store=world.a):
            message_receive(
                store=world.a,
                channel="sms",
                from_address=number,
                body=body,
                provider="sandbox",
                provider_id=f"{sid}{i}",
                received_at=at,
            )


def test_a_search_shows_in_each_row_the_message_that_holds_the_words_on_a_phone_and_a_desk(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    make_customer(world.a, first_name="Jürgen", last_name="Vogel", phones=["+12125550142"])
    _texted(
        world,
        "+12125550142",
        "Hello! My wife's ring needs resizing, and I would like an engraving inside: "
        "<b>J & A, 12.05.2001</b> in script, if your engraver can do that by Friday.",
        "Thank you, I will bring it tomorrow morning.",
        sid="SMj",
    )
    make_customer(world.a, first_name="Engrid", last_name="Gravingsen", phones=["+12125550199"])
    _texted(world, "+12125550199", "Do you sell pearl studs?", sid="SMe")
    log_in(page, live_server_url, world.a_owner)

    page.goto("/inbox/?status=any&q=engraving")
    rows = page.locator(".inbox-row")
    expect(rows).to_have_count(1)
    match = rows.first.locator(".inbox-match")
    # The word as typed, and another form of it (ADR 0010: word endings forgiven): "engraver".
    expect(match.locator("mark")).to_have_text(["engraving", "engraver"])
    expect(match).to_contain_text("<b>J & A, 12.05.2001</b>")  # the customer's markup, as text
    expect(rows.first).not_to_contain_text("I will bring it tomorrow")
    expect(page.locator(".tabs .tool-count")).to_have_count(0)  # no counts that are not the matches
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-search-match-phone")

    page.goto("/inbox/?status=any&q=gravingsen")
    expect(page.locator(".inbox-row .inbox-why")).to_have_text(["Name matches"])
    expect(page.locator(".inbox-row .inbox-match")).to_contain_text("Do you sell pearl studs?")

    page.set_viewport_size(DESKTOP)
    page.goto("/inbox/?status=any&q=ring engraving")
    expect(page.locator(".inbox-row .inbox-match mark")).to_have_text(["ring", "engraving", "engraver"])
    assert_accessible(page)
    screenshot(page, "inbox-search-match-desktop")


def test_the_inbox_search_answers_as_you_type_and_the_menus_apply_when_changed(
    phone: Any, world: World, live_server_url: str
) -> None:
    """Found by a new user: the inbox's search and menus did nothing until Show was tapped (UI.md: search
    answers as you type), unlike the customer list's."""
    page = phone
    make_customer(world.a, first_name="Jürgen", last_name="Vogel", phones=["+12125550142"])
    _texted(world, "+12125550142", "My wife's ring needs resizing.", sid="SMt1")
    make_customer(world.a, first_name="Engrid", last_name="Gravingsen", phones=["+12125550199"])
    _texted(world, "+12125550199", "Do you sell pearl studs?", sid="SMt2")
    log_in(page, live_server_url, world.a_owner)
    page.goto("/inbox/?view=all")
    rows = page.locator(".inbox-row")
    expect(rows).to_have_count(2)

    page.get_by_label("Search messages and names").press_sequentially("pearl", delay=60)

    expect(rows).to_have_count(1)
    expect(rows.first.locator(".inbox-match mark")).to_have_text(["pearl"])
    expect(page.locator(".tabs .tool-count")).to_have_count(0)  # the tabs are the search's, as on a full load
    assert "q=pearl" in page.url  # a reload shows the same list
    assert "q=pearl" in (page.get_by_role("link", name="Mine").get_attribute("href") or "")
    assert page.get_by_label("Search messages and names").evaluate("el => el === document.activeElement")

    page.get_by_label("Search messages and names").fill("")
    expect(rows).to_have_count(2)
    expect(page.locator(".tabs .tool-count")).to_have_count(3)
    page.get_by_label("Status").select_option("closed")
    expect(page.locator(".inbox-list .empty")).to_be_visible()
    assert "status=closed" in page.url


def test_on_a_phone_waiting_longest_puts_the_customer_waiting_longest_on_top(
    phone: Any, world: World, live_server_url: str
) -> None:
    import datetime as dt

    from django.utils import timezone

    page = phone
    now = timezone.now()
    for n, (name, minutes) in enumerate((("Ines", 15), ("Greta", 240), ("Paul", 45))):
        number = f"+1212555{n:04d}"
        make_customer(world.a, first_name=name, last_name="Waits", phones=[number])
        _texted(world, number, f"{name} asks about the ring", sid=f"SMw{n}", at=now - dt.timedelta(minutes=minutes))
    log_in(page, live_server_url, world.a_owner)
    page.goto("/inbox/?view=all")
    expect(page.locator(".inbox-row .inbox-name")).to_have_text(["Ines Waits", "Paul Waits", "Greta Waits"])

    page.get_by_label("Order").select_option("waiting")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".inbox-row .inbox-name")).to_have_text(["Greta Waits", "Paul Waits", "Ines Waits"])
    expect(page.locator(".inbox-row").first).to_contain_text("Waiting 4 h")
    expect(page.get_by_label("Order")).to_have_value("waiting")
    box = page.get_by_label("Order").bounding_box()
    assert box is not None and box["height"] >= 44
    assert_no_horizontal_scroll(page)
    screenshot(page, "inbox-waiting-longest-phone")

    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.locator(".inbox-row .inbox-name")).to_have_text(["Greta Waits", "Paul Waits", "Ines Waits"])
    assert_accessible(page)
    screenshot(page, "inbox-waiting-longest-desktop")


# ---- @mentions in the open app -----------------------------------------------------------------------


def test_an_at_mention_tells_the_mentioned_colleague_in_their_open_inbox_and_nobody_else(
    browser: Any, transactional_db: Any, world: World, live_server_url: str
) -> None:
    from trunkshow.messaging.services import note_add

    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    inbound = _text_in(world, "Can I have 10% off the sapphire halo ring?", "SMmention1")
    pages = {}
    for name, person, viewport, extra in (
        ("max", world.a_manager, DESKTOP, {}),
        ("ana", world.a_owner, PHONE, {"is_mobile": True, "has_touch": True}),
    ):
        context = browser.new_context(viewport=viewport, base_url=live_server_url, **extra)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server_url, person)
        page.goto("/inbox/?view=all")
        expect(page.locator(".inbox-row").first).to_contain_text("Zsófia Szirmay")
        pages[name] = page
    pages["max"].wait_for_timeout(1_000)  # both sockets are up
    expect(pages["max"].locator("[data-mentions-count]")).to_have_count(0)

    with scope(store=world.a):
        note = note_add(
            store=world.a,
            actor=world.a_associate.user,
            conversation=inbound.conversation,
            body="@max can you approve the discount?",
        )

    toast = pages["max"].locator(".toast")
    expect(toast).to_have_count(1, timeout=15_000)
    expect(toast.locator("strong")).to_have_text("Ali Associate mentioned you in a note on Zsófia Szirmay")
    expect(toast).to_contain_text("@max can you approve the discount?")
    expect(pages["max"].locator("#toasts")).to_have_attribute("aria-live", "polite")
    # The navigation counts it at once, without a reload (the list has not been reloaded: no new row).
    expect(pages["max"].locator(".mainnav [data-mentions-count]")).to_have_text("@ 1 mention")
    pages["max"].screenshot(path=str(screenshot(pages["max"], "inbox-mention-desktop")))
    # Ana was not mentioned: the note changes her list (it is the latest message), no toast.
    pages["ana"].wait_for_timeout(2_000)
    expect(pages["ana"].locator(".toast")).to_have_count(0)
    expect(pages["ana"].locator("[data-mentions-count]")).to_have_count(0)

    # Max has the inbox open in a second tab too: it counts the mention, and stops when he reads it.
    other_tab = pages["max"].context.new_page()
    other_tab.goto("/inbox/?view=all")
    expect(other_tab.locator(".mainnav [data-mentions-count]")).to_have_text("@ 1 mention")
    other_tab.wait_for_timeout(1_000)  # its socket is up

    toast.click()
    pages["max"].wait_for_url(f"**/inbox/{inbound.conversation_id}/#m{note.pk}")
    expect(pages["max"].locator(f"#m{note.pk}")).to_be_in_viewport(ratio=1)
    expect(pages["max"].locator("[data-mentions-count]")).to_have_count(0)  # seen by opening it
    expect(other_tab.locator("[data-mentions-count]")).to_have_count(0, timeout=15_000)  # and live elsewhere
    for page in pages.values():
        page.context.close()


def test_the_tabs_count_the_pages_status_and_follow_arrivals_assignment_and_status_live_for_each_person(
    browser: Any, transactional_db: Any, world: World, live_server_url: str
) -> None:
    from trunkshow.inbox.services import conversation_assign, conversation_status_set

    make_customer(
        world.a,
        first_name="Zsófia",
        last_name="Szirmay",
        phones=["+12125550142"],
        assigned_associate_id=world.a_associate.user.pk,
    )
    pages = {}
    for name, person, status in (
        ("ali", world.a_associate, "open"),
        ("max", world.a_manager, "open"),
        ("max_closed", world.a_manager, "closed"),
    ):
        if name == "max_closed":  # Max's second tab, listing the closed conversations
            page = pages["max"].context.new_page()
        else:
            context = browser.new_context(viewport=DESKTOP, base_url=live_server_url)
            page = context.new_page()
            page.set_default_timeout(10_000)
            log_in(page, live_server_url, person)
        page.goto(f"/inbox/?view=all&status={status}")
        pages[name] = page

    def counts(name: str, mine: int, unassigned: int, all_: int) -> None:
        # Mine, Unassigned, All: the conversations of the page's status, as this person's page counts
        # them, without a reload.
        tabs = pages[name].locator(".tabs .tool-count")
        expect(tabs).to_have_text([str(mine), str(unassigned), str(all_)], timeout=15_000)

    counts("ali", 0, 0, 0)
    counts("max", 0, 0, 0)
    counts("max_closed", 0, 0, 0)

    # A text arrives: it is Ali's (Zsófia's own associate), one more open conversation for everyone.
    message = _text_in(world, "Is my ring resized yet?", "SMcount1")
    counts("ali", 1, 0, 1)
    counts("max", 0, 0, 1)

    with scope(store=world.a):
        conversation = message.conversation
        conversation_assign(store=world.a, actor=world.a_manager.user, conversation=conversation, user_id=None)
    counts("ali", 0, 1, 1)
    counts("max", 0, 1, 1)

    with scope(store=world.a):
        conversation.refresh_from_db()
        conversation_status_set(store=world.a, actor=world.a_manager.user, conversation=conversation, status="closed")
    counts("ali", 0, 0, 0)
    counts("max", 0, 0, 0)
    counts("max_closed", 0, 1, 1)

    # Another store's arrival changes nothing here; the next of this store's counts only its own.
    with scope(store=world.b):
        message_receive(
            store=world.b,
            channel="sms",
            from_address="+33612345678",
            body="Bonjour",
            provider="sandbox",
            provider_id="SMcountB",
        )
    pages["max"].wait_for_timeout(3_000)  # longer than the events reader's 2 s
    counts("ali", 0, 0, 0)
    counts("max", 0, 0, 0)
    with scope(store=world.a):
        conversation.refresh_from_db()
        conversation_status_set(store=world.a, actor=world.a_associate.user, conversation=conversation, status="open")
    counts("ali", 0, 1, 1)
    counts("max", 0, 1, 1)
    counts("max_closed", 0, 0, 0)
    for name in ("ali", "max"):
        pages[name].context.close()


def test_on_a_phone_the_note_just_added_is_in_view_after_the_page_comes_back(
    phone: Any, world: World, live_server_url: str
) -> None:
    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    message = _text_in(world, "Is my ring resized yet? " + "It is for Saturday. " * 12, "SMnoteview1")
    log_in(page, live_server_url, world.a_associate)
    page.goto(f"/inbox/{message.conversation_id}/")
    page.get_by_label("Your reply").fill("@nobody the jeweller says Thursday")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_load_state("load")

    note = page.locator("#thread li.msg").last
    expect(note).to_contain_text("the jeweller says Thursday")
    expect(note).to_be_in_viewport(ratio=1)
    # The warning about @nobody stands below it, in the reply box, not over it.
    warning = page.locator(".flash p").first.bounding_box()
    box = note.bounding_box()
    assert warning is not None and box is not None and box["y"] + box["height"] <= warning["y"], (warning, box)
    assert not page.url.endswith("#composer")
    page.screenshot(path=str(screenshot(page, "inbox-note-added-phone").with_name("inbox-note-added-phone-view.png")))


def test_typing_an_at_sign_offers_colleagues_and_the_chosen_one_is_mentioned(
    phone: Any, world: World, live_server_url: str
) -> None:
    from trunkshow.inbox.models import Mention

    page = phone
    make_customer(world.a, first_name="Zsófia", last_name="Szirmay", phones=["+12125550142"])
    message = _text_in(world, "Is my ring resized yet?", "SMmentionpick1")
    log_in(page, live_server_url, world.a_owner)
    page.goto(f"/inbox/{message.conversation_id}/")
    box = page.get_by_label("Your reply")
    box.press_sequentially("Can you check the sizing @al")
    options = page.get_by_role("listbox", name="Colleagues to mention").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Ali Associate")
    expect(box).to_have_attribute("aria-activedescendant", "mention-0")  # read out as the choice
    assert_accessible(page)
    page.screenshot(
        path=str(screenshot(page, "inbox-mention-pick-phone").with_name("inbox-mention-pick-phone-view.png"))
    )
    box.press("Enter")  # takes the highlighted colleague, no new line
    expect(box).to_have_value("Can you check the sizing @Ali ")
    expect(page.get_by_role("listbox", name="Colleagues to mention")).to_be_hidden()
    box.press_sequentially("today?")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#thread li.msg").last).to_contain_text("Can you check the sizing @Ali today?")
    with scope(store=world.a):
        assert list(Mention.objects.values_list("user_id", flat=True)) == [world.a_associate.user.pk]
    # Nobody matches "@zz": no list, and Escape or a space closes one.
    box.press_sequentially(" @zz")
    expect(page.get_by_role("listbox", name="Colleagues to mention")).to_be_hidden()
