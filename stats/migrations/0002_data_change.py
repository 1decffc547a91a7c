"""The dashboard's change log (``stats/changes.py``): a statement trigger on each table the
dashboard reads inserts one row per writing statement, in the writer's transaction. SQLite (the
demo) gets the empty table only."""

from django.db import migrations, models

TRACKED = (
    "incidents_incidentreport",
    "incidents_incidentreport_harassment_types",
    "counterparts_counterpartlink",
    "consultations_consultation",
    "committee_decision",
    "committee_measure",
    "organization_closingday",
)

FUNCTION = """
CREATE FUNCTION stats_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_datachange DEFAULT VALUES;
    RETURN NULL;
END $$;
"""


def triggers_on(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TRACKED:
        schema_editor.execute(
            f"CREATE TRIGGER stats_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION stats_data_changed()")
    schema_editor.execute("INSERT INTO stats_datachange DEFAULT VALUES")


def triggers_off(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TRACKED:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS stats_data_changed ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS stats_data_changed()")


class Migration(migrations.Migration):

    dependencies = [
        ("stats", "0001_initial"),
        ("incidents", "0011_export_event"),
        ("counterparts", "0001_initial"),
        ("consultations", "0003_consultation_form_token"),
        ("committee", "0002_seed_measures_and_letters"),
        ("organization", "0005_health_office_and_building_section"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.RunPython(triggers_on, triggers_off),
    ]
