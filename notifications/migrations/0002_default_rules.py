"""The default rule of every kind (notifications.kinds.SPECS), for the admin to edit."""

from django.db import migrations


def load(apps, schema_editor):
    from notifications.rules import defaults
    from notifications.kinds import Kind

    NoticeRule = apps.get_model("notifications", "NoticeRule")
    existing = set(NoticeRule.objects.values_list("kind", flat=True))
    NoticeRule.objects.bulk_create(
        [NoticeRule(kind=kind, **defaults(kind)) for kind in Kind.values if kind not in existing]
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
