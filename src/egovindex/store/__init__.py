"""The store: SQLAlchemy 2.0 models and Alembic migrations; SQLite by default."""
