# WidgetSettings moved here from the storefront app. Its table stays where storefront.0001 created it
# (Meta.db_table): this migration only tells Django's state that the model is now this app's, and
# storefront.0002 removes it from storefront's state. Nothing is written to the database.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0002_customer_search_indexes'),
        ('storefront', '0001_widget_settings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WidgetSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('allowed_origins', models.TextField(blank=True, help_text="The storefronts that embed the widget, one origin a line (e.g. https://shop.example.com). Shopfloor's own demo shop is always allowed.")),
                        ('require_verified_identity', models.BooleanField(default=False, help_text='Only shoppers with a signed identity may use live chat and calls; anonymous visitors see no launcher.')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('associates_group', models.ForeignKey(blank=True, help_text="Associates of this group get the associate panel on this store's storefronts too, besides the store's own associates.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.customergroup')),
                        ('store', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='widget_settings', to='accounts.store')),
                    ],
                    options={
                        'verbose_name': 'widget settings',
                        'verbose_name_plural': 'widget settings',
                        'db_table': 'storefront_widgetsettings',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
