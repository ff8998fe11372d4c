"""An import's results are numbered by spreadsheet row since 2026-11-25 (ADR 0005); every import
that already has results keeps its numbers, lines of text, and says so (``line_numbers``).

The stored numbers are not rewritten: a finished import's file is deleted, so its rows cannot be
counted again, and a run in progress goes on in the numbering it began with (a resumed run skips
the records up to the highest number stored, which must be counted the same way).
"""

from django.db import migrations, models


def numbered_by_line(apps, schema_editor):
    ImportJob = apps.get_model("customers", "ImportJob")
    ImportRow = apps.get_model("customers", "ImportRow")
    ImportJob.objects.filter(
        models.Exists(ImportRow.objects.filter(job=models.OuterRef("pk")))
    ).update(line_numbers=True)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0017_customer_title"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="line_numbers",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(numbered_by_line, migrations.RunPython.noop),
    ]
