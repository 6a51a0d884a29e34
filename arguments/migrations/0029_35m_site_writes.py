from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("arguments", "0028_languages"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteWrites",
            fields=[
                ("slot", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("writes", models.PositiveBigIntegerField(default=0)),
            ],
        ),
    ]
