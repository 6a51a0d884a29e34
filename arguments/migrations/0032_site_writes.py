from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("arguments", "0031_listing_counts_and_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SiteWrites",
            fields=[
                ("slot", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ("writes", models.PositiveBigIntegerField(default=0)),
            ],
        ),
    ]
