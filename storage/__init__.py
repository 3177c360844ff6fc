"""Storage: SQLModel tables, engine, repositories, unit of work, migrations, evidence files."""
