"""A flag's debate stored on it (the activity table counts a debate's flags from it, not
through its claims), backfilled from the flagged claim or note's claim; the claims with no
place in the tree stored (`UnplacedClaim`), and the debate's stamp of them (issue 35, 35u).
No debate is stamped here: each is scanned once by its first reader."""

import django.db.models.deletion
from django.db import migrations, models

_BACKFILL = """
UPDATE arguments_flag SET debate_id = COALESCE(
    (SELECT c.debate_id FROM arguments_claim c WHERE c.id = arguments_flag.claim_id),
    (SELECT c.debate_id FROM arguments_annotation a JOIN arguments_claim c ON c.id = a.claim_id
     WHERE a.id = arguments_flag.annotation_id)
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('arguments', '0036_site_tallies'),
    ]

    operations = [
        migrations.AddField(
            model_name='debate',
            name='unplaced_version',
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='flag',
            name='debate',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='arguments.debate'),
        ),
        migrations.RunSQL(_BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name='flag',
            name='debate',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='arguments.debate'),
        ),
        migrations.AddIndex(
            model_name='flag',
            index=models.Index(fields=['debate', 'status'], name='flag_debate_status'),
        ),
        migrations.AddIndex(
            model_name='claim',
            index=models.Index(condition=models.Q(('merged_into__isnull', False)), fields=['debate'], name='claim_merged'),
        ),
        migrations.CreateModel(
            name='UnplacedClaim',
            fields=[
                ('claim', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='arguments.claim')),
                ('debate', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='arguments.debate')),
            ],
        ),
    ]
