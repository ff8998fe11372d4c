"""The inbox's "Waiting longest" order: a partial index on the conversations with a customer waiting (ADR 0010)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("messaging", "0007_message_search_text")]

    operations = [
        migrations.AddIndex(
            model_name="conversation",
            index=models.Index(
                condition=models.Q(("awaiting_since__isnull", False)),
                fields=["store", "status", "awaiting_since", "id"],
                name="conversation_waiting",
            ),
        ),
    ]
