"""Telling two customers apart: staff say a possible match is another person ("Not the same
person"), and the pair is never suggested again (``selectors.customer_possible_matches``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from trunkshow.core.audit import audit_log
from trunkshow.customers.models import Customer, DistinctPair
from trunkshow.customers.services import _user
from trunkshow.stores.models import Store


@transaction.atomic
def customer_pair_tell_apart(
    *, store: Store, actor: Any, customer: Customer, other: Customer, ip: str | None = None
) -> DistinctPair:
    """Record that ``customer`` and ``other`` are different people; saying it again changes nothing
    (the first person and time stay, one audit entry). Either one of another store's: 404."""
    if customer.store_id != store.pk or other.store_id != store.pk:
        raise Http404("No such customer")
    if customer.pk == other.pk:
        raise ValidationError({"other_id": _("A customer is always the same person as themself; choose another.")})
    low, high = sorted((customer.pk, other.pk))
    pair, created = DistinctPair.objects.get_or_create(
        store=store, customer_id=low, other_id=high, defaults={"actor": _user(actor)}
    )
    if created:
        # Ids only, as for a merge: an erasure later leaves no one's name here.
        audit_log(
            store=store,
            actor=_user(actor),
            action="trunkshow.customer.told_apart",
            obj=customer,
            data={"other_customer_id": other.pk},
            ip=ip,
        )
    return pair


def distinct_pairs_carry(store: Store, survivor: Customer, gone: Customer) -> None:
    """A merge: what was said of the merged-away record holds for the survivor (Zoe is not Ruth, Zoe
    is Zoë, so Zoë is not Ruth). A pair of the two merged is dropped: staff merged them after all."""
    pairs = DistinctPair.objects.filter(store=store)
    for pair in list(pairs.filter(customer=gone)) + list(pairs.filter(other=gone)):
        apart = pair.other_id if pair.customer_id == gone.pk else pair.customer_id
        pair.delete()
        if apart == survivor.pk:
            continue
        low, high = sorted((survivor.pk, apart))
        pairs.get_or_create(
            store=store, customer_id=low, other_id=high, defaults={"actor_id": pair.actor_id, "at": pair.at}
        )
