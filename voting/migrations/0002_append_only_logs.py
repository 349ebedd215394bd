"""On PostgreSQL, refuse UPDATE and DELETE on the ballot log and the audit log.

The chains already make any change detectable; the triggers make it impossible for the
application's own database role (a superuser can still drop them, which
``verify_cycle`` / ``verify_audit`` would then reveal through the hashes).
"""

from django.db import migrations

TABLES = ["voting_ballotlogentry", "audit_auditevent"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION pins_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'PINS: %% is append-only (%% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION pins_refuse_change();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS pins_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
