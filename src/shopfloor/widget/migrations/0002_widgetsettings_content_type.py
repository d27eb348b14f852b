# WidgetSettings' content type follows it from storefront to widget, so the permissions and the admin's
# history keep pointing at it. Audit events keep the label they were written with
# ("storefront.widgetsettings"): they are never edited.

from django.db import migrations

MODEL = "widgetsettings"


def _move(apps, schema_editor, old_app: str, new_app: str) -> None:
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.db_manager(db)
    # A database that already has the new one (it was created while both apps had the model) keeps
    # both; `remove_stale_contenttypes` deals with the old one, as after Django's own RenameModel.
    if not content_types.filter(app_label=new_app, model=MODEL).exists():
        content_types.filter(app_label=old_app, model=MODEL).update(app_label=new_app)
        content_types.clear_cache()


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "storefront", "widget")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "widget", "storefront")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('widget', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
