from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("voting", "0002_append_only_logs")]

    operations = [
        migrations.AddField(
            model_name="ballot", name="salt",
            field=models.CharField(max_length=32, default=""), preserve_default=False,
        ),
        migrations.AddField(
            model_name="ballot", name="log_seq",
            field=models.PositiveIntegerField(
                default=0, help_text="Rang de la dernière entrée du registre pour ce bulletin."),
            preserve_default=False,
        ),
    ]
