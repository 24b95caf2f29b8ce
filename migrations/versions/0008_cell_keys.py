"""cell keys for cell-key perturbation: every stored summary value gets the
key of its cell (the sum of its records' keys mod 256, see
docs/perturbation.md) beside its count, and G.R.E.A.T. classes get record keys
too (they are counted as classes completed). The stored summaries are caches
computed from the base tables: they are emptied so the next refresh computes
them with their keys.

Revision ID: 0008_cell_keys
Revises: 0007_record_keys
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_cell_keys'
down_revision = '0007_record_keys'
branch_labels = None
depends_on = None

RANDOM_KEY = {
    "postgresql": "floor(random() * 255)::smallint + 1",
    "sqlite": "(abs(random()) % 255) + 1",
}


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect not in RANDOM_KEY:
        raise RuntimeError(f"0008_cell_keys does not know how to draw random keys on {dialect}")
    op.execute("DELETE FROM summary_values")
    op.execute("DELETE FROM summary_cells")
    with op.batch_alter_table('summary_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cell_key', sa.SmallInteger(), nullable=False, server_default='0'))
    with op.batch_alter_table('great_cohorts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_key', sa.SmallInteger(), nullable=True))
    op.execute(f"UPDATE great_cohorts SET record_key = {RANDOM_KEY[dialect]}")  # nosec B608 - fixed SQL
    with op.batch_alter_table('great_cohorts', schema=None) as batch_op:
        batch_op.alter_column('record_key', existing_type=sa.SmallInteger(), nullable=False)


def downgrade():
    with op.batch_alter_table('great_cohorts', schema=None) as batch_op:
        batch_op.drop_column('record_key')
    with op.batch_alter_table('summary_values', schema=None) as batch_op:
        batch_op.drop_column('cell_key')
