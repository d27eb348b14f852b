"""What the migration tests share: take the test database to a point of the migration graph and back."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration name or None)]); returns the models as they were there.

    (app, None) is "none of the app's migrations": the state returned is that of the others.
    """
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


def leaf_nodes():
    """Every app's latest migration: where a test leaves the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
