# WidgetSettings belongs to the widget app now (widget.0001); its table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('storefront', '0001_widget_settings'),
        ('widget', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='WidgetSettings'),
            ],
            database_operations=[],
        ),
    ]
