"""Every log entry and every ballot has its cast record; cast records are append-only on
PostgreSQL, like the ballot log (same trigger function as migration 0002)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "voting_castrecord"


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
    dependencies = [("voting", "0006_cast_records_backfill")]

    operations = [
        migrations.AlterField(
            model_name="ballotlogentry", name="cast_record",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                       related_name="log_entry", to="voting.castrecord"),
        ),
        migrations.AlterField(
            model_name="ballot", name="cast",
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                       related_name="+", to="voting.castrecord",
                                       help_text="Dernier dépôt enregistré pour ce bulletin."),
        ),
        migrations.RemoveField(model_name="ballot", name="log_seq"),
        migrations.RunPython(forwards, backwards),
    ]
