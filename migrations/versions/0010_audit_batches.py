"""audit batches: events no longer extend a chain through the single
audit_head row (which every audited transaction locked until commit); each
carries its own HMAC, and the seal job stores signed Merkle tree heads in
``audit_batches`` (app/audit/seal.py). ``audit_events.prev_hash`` becomes
nullable (NULL on the new events; older events keep their chain). On SQLite
the audit_head row becomes the id counter, so it starts at the highest id.
On PostgreSQL ``audit_batches`` gets the same append-only triggers as the
events. The downgrade drops the tree heads (a later upgrade and
`flask audit seal` seal everything again from id 1); once new-format events
exist it leaves ``prev_hash`` nullable, since the old chain cannot be
rebuilt without the audit key, and the pre-0010 `audit verify` will report
them as broken.

Revision ID: 0010_audit_batches
Revises: 0009_summary_refreshes
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_audit_batches'
down_revision = '0009_summary_refreshes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_batches',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('absent', sa.Text(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('prev_head', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('head_mac', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_batches')),
    sa.UniqueConstraint('first_id', name=op.f('uq_audit_batches_first_id')),
    sa.UniqueConstraint('last_id', name=op.f('uq_audit_batches_last_id'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("UPDATE audit_head SET seq = MAX(seq, (SELECT COALESCE(MAX(id), 0) FROM audit_events)) "
                   "WHERE id = 1")
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_batches_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit_batches is append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_batches_append_only BEFORE UPDATE OR DELETE ON audit_batches "
            "FOR EACH ROW EXECUTE FUNCTION audit_batches_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_batches_no_truncate BEFORE TRUNCATE ON audit_batches "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_batches_append_only()"
        )


def downgrade():
    bind = op.get_bind()
    new_format = bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE prev_hash IS NULL")).scalar()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_batches_no_truncate ON audit_batches")
        op.execute("DROP TRIGGER IF EXISTS audit_batches_append_only ON audit_batches")
        op.execute("DROP FUNCTION IF EXISTS audit_batches_append_only()")
    op.drop_table('audit_batches')
    if new_format:
        return
    if bind.dialect.name == "sqlite":
        op.execute("UPDATE audit_head SET seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_events) WHERE id = 1")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
