"""One cast record per existing log entry, linked to it and to the ballot it made current.

Log entries are append-only: on PostgreSQL the trigger is disabled (as the table owner)
for the one UPDATE that links each entry to its new record, then enabled again.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    CastRecord = apps.get_model("voting", "CastRecord")
    BallotLogEntry = apps.get_model("voting", "BallotLogEntry")
    Ballot = apps.get_model("voting", "Ballot")
    entries = list(BallotLogEntry.objects.filter(cast_record__isnull=True).order_by("cycle_id", "seq"))
    if not entries:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Foreign keys are checked at once, so that no pending check blocks ALTER TABLE.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE voting_ballotlogentry DISABLE TRIGGER "
                              "voting_ballotlogentry_append_only")
    records = {}
    for entry in entries:
        record = CastRecord.objects.create(
            cycle_id=entry.cycle_id, kind=entry.kind, ballot_key=entry.content.get("ballot", ""),
            commitment=entry.content.get("commitment", ""), receipt_code=entry.receipt_code,
        )
        BallotLogEntry.objects.filter(pk=entry.pk).update(cast_record=record)
        records[(entry.cycle_id, entry.seq)] = record
    if postgres:
        schema_editor.execute("ALTER TABLE voting_ballotlogentry ENABLE TRIGGER "
                              "voting_ballotlogentry_append_only")
    for ballot in Ballot.objects.filter(cast__isnull=True):
        record = records.get((ballot.cycle_id, ballot.log_seq))
        if record is not None:
            Ballot.objects.filter(pk=ballot.pk).update(cast=record)


class Migration(migrations.Migration):
    dependencies = [("voting", "0005_cast_records")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
