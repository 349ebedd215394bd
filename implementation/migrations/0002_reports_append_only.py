"""On PostgreSQL, refuse UPDATE and DELETE on published commune reports.

A published version is a dated snapshot that must never change silently; republishing
writes a new row. The trigger reuses ``pins_refuse_change()`` (voting 0002).
"""

from django.db import migrations

TABLE = "implementation_communereport"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION pins_refuse_change();"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("implementation", "0001_initial"),
        ("voting", "0002_append_only_logs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
