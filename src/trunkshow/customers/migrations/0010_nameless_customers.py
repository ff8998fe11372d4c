"""Customers without a name: no longer named by their number, and sorted after the named.

Until now someone who texted (or wrote) in unknown became a customer whose last name was their
number or address ("+12125550188"), which the list showed as a name, with a "+" avatar, sorted
before every letter. Now they have no name (pages show the number as the store writes it) and
their sort_name is ``NAMELESS_SORT``, as ``services._refresh_search`` now computes it.

This clears the number from such rows (source chat, no first or preferred name, the last name
one of their own phones or emails), takes it out of their search_text (the number's digits stay,
so search by phone finds them as before; the search-word triggers of 0009 drop the "+" word), and
gives every live customer without any name the new sort key (an erased one keeps none). Plain ORM updates: SQLite and PostgreSQL.
"""

from django.db import migrations

NAMELESS_SORT = "\U0010fffd"  # customers.models.NAMELESS_SORT, as it was when this was written
BATCH = 500


def forwards(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    CustomerPhone = apps.get_model("customers", "CustomerPhone")
    CustomerEmail = apps.get_model("customers", "CustomerEmail")
    customers = Customer._base_manager
    named_by_contact = (
        customers.filter(source="chat", first_name="", preferred_name="", erased_at__isnull=True)
        .exclude(last_name="")
        .values_list("id", "last_name", "search_text")
    )
    rows = list(named_by_contact)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        ids = [pk for pk, _last, _text in batch]
        phones = CustomerPhone._base_manager.filter(customer_id__in=ids).values_list("customer_id", "e164")
        emails = CustomerEmail._base_manager.filter(customer_id__in=ids).values_list("customer_id", "address")
        contacts = set(phones) | set(emails)
        for pk, last, text in batch:
            if (pk, last) not in contacts:
                continue
            # search_text begins with the folded name words; the number (ASCII) folds to itself.
            folded = last.lower()
            if text == folded or text.startswith(folded + " "):
                text = text[len(folded) :].lstrip()
            customers.filter(pk=pk).update(last_name="", search_text=text, sort_name=NAMELESS_SORT)
    nameless = customers.filter(first_name="", last_name="", preferred_name="", erased_at__isnull=True)
    nameless.exclude(sort_name=NAMELESS_SORT).update(sort_name=NAMELESS_SORT)


def backwards(apps, schema_editor):
    # The numbers taken out of the names are not put back: the pages show them without it.
    apps.get_model("customers", "Customer")._base_manager.filter(sort_name=NAMELESS_SORT).update(sort_name="")


class Migration(migrations.Migration):
    dependencies = [("customers", "0009_search_words")]

    operations = [migrations.RunPython(forwards, backwards)]
