"""record keys for cell-key perturbation: every counted row (youth,
screenings, enrollments, follow-ups, policing sessions, attendance links) gets
a random ``record_key`` from 1 to 255 (see app/record_keys.py and
docs/perturbation.md). Existing rows are given random keys by the database
itself, then the column becomes NOT NULL. The downgrade drops the columns.

Revision ID: 0007_record_keys
Revises: 0006_form_submissions
Create Date: 2026-12-02 06:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_record_keys'
down_revision = '0006_form_submissions'
branch_labels = None
depends_on = None

TABLES = ("youth", "screenings", "enrollments", "follow_ups", "policing_sessions", "session_attendance")

# A uniform random key from 1 to 255 for each row, drawn by the database.
RANDOM_KEY = {
    "postgresql": "floor(random() * 255)::smallint + 1",
    "sqlite": "(abs(random()) % 255) + 1",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in RANDOM_KEY:
        raise RuntimeError(f"0007_record_keys does not know how to draw random keys on {dialect}")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('record_key', sa.SmallInteger(), nullable=True))
        op.execute(f"UPDATE {table} SET record_key = {RANDOM_KEY[dialect]}")  # nosec B608 - fixed names
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('record_key', existing_type=sa.SmallInteger(), nullable=False)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('record_key')
