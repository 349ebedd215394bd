"""Cast records: casts write their own append-only record; a sequencer chains them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0001_initial"),
        ("voting", "0004_envelope_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="CastRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("kind", models.CharField(choices=[("cast", "Dépôt"), ("replace", "Remplacement")],
                                          max_length=8)),
                ("ballot_key", models.CharField(max_length=16)),
                ("commitment", models.CharField(max_length=64)),
                ("receipt_code", models.CharField(max_length=16)),
                ("cycle", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            related_name="cast_records", to="budgets.budgetcycle")),
            ],
            options={
                "verbose_name": "dépôt enregistré",
                "verbose_name_plural": "dépôts enregistrés",
                "constraints": [models.UniqueConstraint(fields=("cycle", "receipt_code"),
                                                        name="cast_record_unique_receipt")],
            },
        ),
        migrations.CreateModel(
            name="PendingCast",
            fields=[
                ("record", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                primary_key=True, related_name="+", serialize=False,
                                                to="voting.castrecord")),
                ("cycle", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="+", to="budgets.budgetcycle")),
            ],
            options={
                "verbose_name": "dépôt en attente d’inscription",
                "verbose_name_plural": "dépôts en attente d’inscription",
            },
        ),
        migrations.AddField(
            model_name="ballotlogentry", name="cast_record",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="log_entry", to="voting.castrecord"),
        ),
        migrations.AddField(
            model_name="ballot", name="cast",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="+", to="voting.castrecord",
                                       help_text="Dernier dépôt enregistré pour ce bulletin."),
        ),
    ]
