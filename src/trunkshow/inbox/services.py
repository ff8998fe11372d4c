"""Writes of the inbox: assignment, status, read state, the out-of-hours reply and overdue alerts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from trunkshow.core import clock
from trunkshow.core.events import publish_on_commit
from trunkshow.core.tasks import enqueue_on_commit
from trunkshow.core.validation import fold
from trunkshow.inbox.models import InboxSettings, Mention, OverdueAlert, ReadState
from trunkshow.messaging.channels.webchat import text as widget_text
from trunkshow.messaging.models import ChannelKind, Conversation, ConversationStatus, Message
from trunkshow.messaging.selectors import customer_name
from trunkshow.messaging.services import system_reply
from trunkshow.stores import hours
from trunkshow.stores.models import WEEKDAYS, Membership, Role, Store


def inbox_settings(store: Store) -> InboxSettings:
    settings, _created = InboxSettings.objects.get_or_create(store=store)
    return settings


MAX_TARGET_MINUTES = 24 * 60


@transaction.atomic
def inbox_settings_update(
    *, store: Store, actor: Any, response_target_minutes: int, out_of_hours_reply: bool, ip: str | None = None
) -> InboxSettings:
    """The first-response target (minutes of opening time) and the automatic answer when closed; audited."""
    from trunkshow.core.audit import audit_log

    target = response_target_minutes
    if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= MAX_TARGET_MINUTES:
        raise ValidationError(
            {
                "response_target_minutes": _("Give a number of minutes from 1 to %(max)s (a day).")
                % {"max": MAX_TARGET_MINUTES}
            }
        )
    row, _created = InboxSettings.objects.select_for_update().get_or_create(store=store)
    before = {"response_target_minutes": row.response_target_minutes, "out_of_hours_reply": row.out_of_hours_reply}
    after = {"response_target_minutes": target, "out_of_hours_reply": bool(out_of_hours_reply)}
    if after != before:
        row.response_target_minutes = target
        row.out_of_hours_reply = bool(out_of_hours_reply)
        row.save(update_fields=["response_target_minutes", "out_of_hours_reply"])
        audit_log(store=store, action="trunkshow.inbox.settings_changed", actor=actor, data=after, ip=ip)
    return row


def _publish_conversation(store: Store, conversation: Conversation, kind: str = "conversation") -> None:
    publish_on_commit(
        store=store,
        kind=kind,
        payload={
            "id": conversation.pk,
            "status": conversation.status,
            "assigned_to": conversation.assigned_to_id,
            "snoozed_until": conversation.snoozed_until.isoformat() if conversation.snoozed_until else None,
        },
    )


# ---- assignment -------------------------------------------------------------------------------


def _active_member(store: Store, user_id: Any) -> Membership | None:
    if user_id is None:
        return None
    return Membership.objects.filter(store=store, user_id=user_id, is_active=True).select_related("user").first()


def on_duty(store: Store) -> Any:
    """Who takes a new conversation when the customer has no associate: the active member with the fewest open ones."""
    members = (
        Membership.objects.filter(store=store, is_active=True)
        .annotate(
            load=Count(
                "user__conversation_assignments",
                filter=Q(
                    user__conversation_assignments__store=store,
                    user__conversation_assignments__status=ConversationStatus.OPEN,
                ),
            )
        )
        .select_related("user")
    )
    # Associates first (they work the floor and the inbox), then managers, then the owner.
    order = {Role.ASSOCIATE: 0, Role.MANAGER: 1, Role.OWNER: 2}
    ranked = sorted(members, key=lambda m: (m.load, order.get(Role(m.role), 3), m.user_id))
    return ranked[0].user if ranked else None


def assign_on_inbound(store: Store, conversation: Conversation, message: Message) -> None:
    """A customer wrote: the conversation goes to their own associate, otherwise to whoever is on duty."""
    if _active_member(store, conversation.assigned_to_id) is not None:
        return
    customer = conversation.customer
    own = _active_member(store, customer.assigned_associate_id) if customer is not None else None
    assignee = own.user if own is not None else on_duty(store)
    if getattr(assignee, "pk", None) == conversation.assigned_to_id:
        return  # nobody to give it to (a store without active staff), or already theirs: nothing changes
    conversation.assigned_to = assignee
    conversation.save(update_fields=["assigned_to"])
    _publish_conversation(store, conversation)


def conversations_fold(store: Store, host: Conversation, others: list[Conversation]) -> None:
    """A merge is about to fold ``others`` into ``host`` (``messaging.merging``): who answers it, as a
    customer's message is assigned (their own associate if active, then whoever had one of the
    threads, the host's first), and each person's read mark, mentions and overdue alerts, so nothing
    that waited for someone is lost and nothing already seen is new again."""
    everyone = [host, *others]
    customer = host.customer
    candidates = [customer.assigned_associate_id if customer is not None else None]
    candidates += [c.assigned_to_id for c in everyone]
    member = next((m for m in (_active_member(store, u) for u in candidates) if m is not None), None)
    host.assigned_to_id = member.user_id if member is not None else host.assigned_to_id

    ids = [c.pk for c in others]
    Mention.objects.filter(store=store, conversation_id__in=ids).update(conversation=host)
    held = set(OverdueAlert.objects.filter(conversation=host).values_list("awaiting_since", flat=True))
    for alert in OverdueAlert.objects.filter(store=store, conversation_id__in=ids).order_by("id"):
        if alert.awaiting_since not in held:  # once per clock start, in the folded thread too
            held.add(alert.awaiting_since)
            alert.conversation = host
            alert.save(update_fields=["conversation"])
    # One mark per person will read one thread whose messages keep their ids: the lowest mark of a
    # thread in which something was new to them (it stays new), else the end of all (all was seen).
    from trunkshow.inbox.selectors import conversation_unread

    group = [c.pk for c in everyone]
    end = Message.objects.filter(conversation_id__in=group).aggregate(end=Max("id"))["end"] or 0
    marks: dict[Any, dict[int, int]] = {}
    for row in ReadState.objects.filter(store=store, conversation_id__in=group).select_related("user"):
        marks.setdefault(row.user, {})[row.conversation_id] = row.last_read_message_id
    for user, read in marks.items():
        behind = [read.get(c.pk, 0) for c in everyone if conversation_unread(user=user, conversation=c)]
        marks[user] = {host.pk: min(behind) if behind else end}
    ReadState.objects.filter(store=store, conversation_id__in=ids).delete()
    for user, read in marks.items():
        mark = read[host.pk]
        ReadState.objects.update_or_create(
            user=user, conversation=host, defaults={"store": store, "last_read_message_id": mark}
        )


@transaction.atomic
def conversation_assign(*, store: Store, actor: Any, conversation: Conversation, user_id: int | None) -> Conversation:
    if user_id is not None and _active_member(store, user_id) is None:
        raise ValidationError({"assigned_to": _("Choose someone on this store's staff.")})
    conversation.assigned_to_id = user_id
    conversation.save(update_fields=["assigned_to"])
    _publish_conversation(store, conversation)
    return conversation


# ---- status -----------------------------------------------------------------------------------


@transaction.atomic
def conversation_status_set(
    *, store: Store, actor: Any, conversation: Conversation, status: str, snoozed_until: dt.datetime | None = None
) -> Conversation:
    if status not in ConversationStatus.values:
        raise ValidationError({"status": _("Choose open, pending, snoozed or closed.")})
    if status == ConversationStatus.SNOOZED:
        if snoozed_until is None:
            raise ValidationError({"snoozed_until": _("Say until when to snooze the conversation.")})
        if snoozed_until.tzinfo is None:
            raise ValidationError({"snoozed_until": _("Give the time with its zone, like 2026-12-01T09:00:00-05:00.")})
        if snoozed_until <= clock.now():
            raise ValidationError({"snoozed_until": _("Snooze until a time in the future.")})
        if snoozed_until > clock.now() + dt.timedelta(days=365):
            raise ValidationError({"snoozed_until": _("Snooze for at most a year.")})
    if status == ConversationStatus.OPEN and conversation.status != ConversationStatus.OPEN:
        conversation.reopened_at = clock.now()
    conversation.status = status
    conversation.snoozed_until = snoozed_until if status == ConversationStatus.SNOOZED else None
    conversation.save(update_fields=["status", "snoozed_until", "reopened_at"])
    _publish_conversation(store, conversation)
    return conversation


def conversation_read(*, store: Store, user: Any, conversation: Conversation) -> None:
    """Everything in the conversation so far is read by this staff member."""
    last = Message.objects.filter(conversation=conversation).order_by("-id").values_list("id", flat=True).first() or 0
    ReadState.objects.update_or_create(
        user=user,
        conversation=conversation,
        defaults={"store": store, "last_read_message_id": last, "at": timezone.now()},
    )
    # Opening the conversation is answering its mentions of this person: they have seen them, and
    # their other open pages (another tab, the phone) count them no more.
    seen = Mention.objects.filter(store=store, user=user, conversation=conversation, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if seen:
        publish_on_commit(store=store, kind="mentions_read", payload={"users": [user.pk]})


# ---- out of hours and the response clock ------------------------------------------------------


def _reply_language(store: Store, conversation: Conversation) -> str:
    """A web-chat visitor's own language (negotiated on their request); for a text or an email,
    the store's (from its locale, when we speak it), as nothing tells us the customer's."""
    if conversation.channel == ChannelKind.WEBCHAT:
        return widget_text.language()
    language = translation.to_language(store.locale or "en_US").split("-")[0]
    return language if widget_text.language_supported(language) else settings.LANGUAGE_CODE


def reply_out_of_hours(store: Store, conversation: Conversation, message: Message) -> None:
    """A customer who writes while the store is closed is told when it will answer, once while it is
    closed: however many messages they send, and even after a member of staff has answered."""
    now = message.created_at
    if hours.is_open(store, now) or not inbox_settings(store).out_of_hours_reply:
        return
    closed_since = hours.last_closing(store, now) or conversation.awaiting_since or now
    if Message.objects.filter(
        conversation=conversation, meta__system="out_of_hours", created_at__gte=closed_since
    ).exists():
        return
    opening = hours.next_opening(store, now)
    if opening is None:
        return
    local = opening.astimezone(hours.zone(store))
    today = now.astimezone(hours.zone(store)).date()
    next_open = {
        "day": WEEKDAYS[local.weekday()],
        "time": local.strftime("%H:%M"),
        "in_days": (local.date() - today).days,
    }
    customer = conversation.customer if conversation.customer_id else None
    customer_language = customer.language if customer is not None else ""
    with translation.override(_reply_language(store, conversation)):
        # The time as the customer's region writes it in the reply's language (en-GB: "10:00"), else
        # as the store's does ("10:00 AM" for English in the US): the 24-hour store clock read wrong there.
        locale = widget_text.times_locale(store.locale, customer_language)
        text = widget_text.closed_reply(store.name, next_open, store.time_zone, locale)
    if conversation.channel == ChannelKind.SMS:
        # Babel's narrow no-break space ("10:00\u202fAM") is not in the GSM-7 alphabet: it would turn an
        # English text into UCS-2 and its one segment into two. A plain space keeps it GSM-7.
        text = text.replace("\u202f", " ")
    system_reply(store, conversation, message, text, kind="out_of_hours")


# Only an open conversation waits for an answer: the list's "past target" mark, the conversation
# page's and the managers' overdue alert all follow this one rule. A pending conversation waits on
# the customer (or a supplier), a snoozed one is put aside until its time, a closed one is done.
WAITING_STATUSES = (ConversationStatus.OPEN,)


def response_clock_from(conversation: Conversation) -> dt.datetime | None:
    """Where the target clock (the "near" and "past target" marks, the managers' alert) counts from:
    the customer's first unanswered message, or the moment the conversation came back to open when
    that is later. A snoozed or pending conversation was put aside on purpose; once it is back it
    gets the target's time again rather than being past it at once. The first response time still
    counts from the customer's message (``messaging.services._conversation_outbound``)."""
    if conversation.awaiting_since is None:
        return None
    if conversation.reopened_at is not None and conversation.reopened_at > conversation.awaiting_since:
        return conversation.reopened_at
    return conversation.awaiting_since


def response_due_at(store: Store, conversation: Conversation, target_minutes: int) -> dt.datetime | None:
    """When the answer the customer waits for is due; None when nobody waits for one."""
    clock_from = response_clock_from(conversation)
    if clock_from is None or conversation.status not in WAITING_STATUSES:
        return None
    return hours.open_deadline(store, clock_from, target_minutes)


def inbox_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: wake snoozed conversations that are due, alert managers about overdue first responses."""
    from django_scopes import scope, scopes_disabled

    now = now or clock.now()
    woken = alerted = 0
    with scopes_disabled():
        stores = list(
            Store.objects.filter(
                pk__in=Conversation.objects.filter(
                    Q(status=ConversationStatus.SNOOZED, snoozed_until__lte=now)
                    | Q(status__in=WAITING_STATUSES, awaiting_since__isnull=False)
                ).values("store_id")
            )
        )
    for store in stores:
        with scope(store=store), transaction.atomic():
            for conversation in Conversation.objects.filter(
                store=store, status=ConversationStatus.SNOOZED, snoozed_until__lte=now
            ):
                conversation.status, conversation.snoozed_until = ConversationStatus.OPEN, None
                conversation.reopened_at = now
                conversation.save(update_fields=["status", "snoozed_until", "reopened_at"])
                _publish_conversation(store, conversation)
                woken += 1
            target = inbox_settings(store).response_target_minutes
            waiting = Conversation.objects.filter(
                store=store, status__in=WAITING_STATUSES, awaiting_since__isnull=False
            ).select_related("customer")
            for conversation in waiting:
                due = response_due_at(store, conversation, target)
                clock_from = response_clock_from(conversation)
                if due is None or due > now or clock_from is None or conversation.awaiting_since is None:
                    continue
                # Once per wait, counted as the clock counts: a conversation that came back from a
                # snooze and went past the target again is news for the managers again.
                _alert, created = OverdueAlert.objects.get_or_create(
                    store=store, conversation=conversation, awaiting_since=clock_from
                )
                if created:
                    alerted += 1
                    publish_on_commit(
                        store=store,
                        kind="overdue",
                        payload={
                            "id": conversation.pk,
                            "customer": customer_name(conversation) or _("Website visitor"),
                            "preview": conversation.last_message_preview,
                            "minutes": int((now - conversation.awaiting_since).total_seconds() // 60),
                            "for_roles": [Role.OWNER, Role.MANAGER],
                        },
                    )
    return {"woken": woken, "alerted": alerted}


# ---- @mentions --------------------------------------------------------------------------------

MENTION = re.compile(r"(?<![\w@])@([\w.\-]{2,40})", re.UNICODE)


def _handles(body: str) -> dict[str, str]:
    """The @names in a text, folded, each with the first way it was written."""
    found: dict[str, str] = {}
    for raw in MENTION.findall(body):
        found.setdefault(fold(raw).rstrip("."), raw.rstrip("."))
    return found


def _staff_handles(store: Store) -> list[tuple[Any, set[str]]]:
    out = []
    for membership in Membership.objects.filter(store=store, is_active=True).select_related("user"):
        user = membership.user
        first = fold((user.name or "").split(" ")[0]) if user.name else ""
        local = fold(user.email.split("@")[0])
        out.append((user, {first, local} - {""}))
    return out


def staff_handles(store: Store) -> set[str]:
    """Every @name that names someone on this store's staff, folded (``max``, ``max.bell``)."""
    return set().union(*(names for _user, names in _staff_handles(store)))


def mention_choices(store: Store, *, exclude: Any = None) -> list[dict[str, str]]:
    """The colleagues a note can @mention, for the composer's suggestions: each one's name and a
    handle: their first name when it names only them, else the start of their email when that does
    (two called Max: ``@max.bell``), else the start of their email all the same."""
    everyone = _staff_handles(store)

    def naming(handle: str) -> int:
        return sum(1 for _user, names in everyone if fold(handle) in names)

    out = []
    for user, _names in everyone:
        if exclude is not None and user.pk == exclude.pk:
            continue
        first, local = (user.name or "").split(" ")[0], user.email.split("@")[0]
        handle = first if first and naming(first) == 1 else local
        out.append({"name": user.display_name, "handle": handle})
    return sorted(out, key=lambda c: fold(c["name"]))


def mentioned(store: Store, body: str) -> list[Any]:
    """Staff named in a note: ``@Max`` (first name) or ``@max.bell`` (the start of their email), any case."""
    handles = set(_handles(body))
    if not handles:
        return []
    return [user for user, names in _staff_handles(store) if handles & names]


def mentions_unknown(store: Store, body: str) -> list[str]:
    """The @names in a note that are nobody on this store's staff (``@nobody``), as they were typed."""
    handles = _handles(body)
    if not handles:
        return []
    known = set().union(*(names for _user, names in _staff_handles(store)))
    return [f"@{raw}" for folded, raw in handles.items() if folded not in known]


def mentions_unknown_warning(store: Store, message: Message) -> list[str]:
    """A note is saved even when an @name in it is nobody here (an "@" may be meant otherwise, and the
    note is worth keeping), but its author is told nobody was notified, to write it again. The page
    shows it as a warning, the API returns it beside the note."""
    if message.direction != "note":
        return []
    unknown = mentions_unknown(store, message.body)
    if not unknown:
        return []
    return [
        _(
            "Note saved, but nobody on the staff is %(names)s, so nobody was told. Mention a colleague by "
            "first name (@Max) or the start of their email."
        )
        % {"names": ", ".join(unknown)}
    ]


def notify_mentions(store: Store, conversation: Conversation, note: Message) -> None:
    """Everyone @mentioned in a note hears of it at once: in the open inbox and on their phones."""
    from trunkshow.inbox.tasks import push_message

    users = [u for u in mentioned(store, note.body) if u.pk != note.author_id]
    if not users:
        return
    Mention.objects.bulk_create(
        [Mention(store=store, user=u, conversation=conversation, message=note, at=note.created_at) for u in users],
        ignore_conflicts=True,
    )
    publish_on_commit(
        store=store,
        kind="mention",
        payload={
            "conversation": conversation.pk,
            "message": note.pk,
            "users": [u.pk for u in users],
            "customer": customer_name(conversation) or _("Website visitor"),
            "by": getattr(note.author, "name", "") if note.author_id else "",
            "body": note.body[:200],
        },
    )
    store_id, note_id, user_ids = store.pk, note.pk, [u.pk for u in users]
    enqueue_on_commit(push_message, store_id, note_id, user_ids)
