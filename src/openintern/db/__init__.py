"""Storage: engines, the unit of work, ORM tables, migrations, the embedded server."""
