"""summary refreshes: the summary pages only read the stored cells, which the
refresh job (`flask reports refresh`, on a timer) brings up to date; each
finished run is recorded so that a page can say "data as of" its start.

Revision ID: 0009_summary_refreshes
Revises: 0008_cell_keys
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_summary_refreshes'
down_revision = '0008_cell_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summary_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cells', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_refreshes'))
    )
    with op.batch_alter_table('summary_refreshes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_refreshes_started_at'), ['started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('summary_refreshes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_refreshes_started_at'))
    op.drop_table('summary_refreshes')
