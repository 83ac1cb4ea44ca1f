"""Web workspace: users, sessions, sign-in attempts, audit log.

Owned by the web area: its tables are declared in store/schema/web.py.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_users')),
    sa.UniqueConstraint('username', name=op.f('uq_web_users_username'))
    )
    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['web_users.id'], name=op.f('fk_web_sessions_user_id_web_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_sessions_token_hash'))
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.create_table('web_login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_login_attempts'))
    )
    op.create_index('ix_web_login_attempts_user', 'web_login_attempts', ['username', 'at'], unique=False)
    op.create_index('ix_web_login_attempts_address', 'web_login_attempts', ['address', 'at'], unique=False)
    op.create_table('web_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('address', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_audit'))
    )
    op.create_index(op.f('ix_web_audit_at'), 'web_audit', ['at'], unique=False)
    op.create_index(op.f('ix_web_audit_actor'), 'web_audit', ['actor'], unique=False)
    op.create_index(op.f('ix_web_audit_target'), 'web_audit', ['target'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_web_audit_target'), table_name='web_audit')
    op.drop_index(op.f('ix_web_audit_actor'), table_name='web_audit')
    op.drop_index(op.f('ix_web_audit_at'), table_name='web_audit')
    op.drop_table('web_audit')
    op.drop_index('ix_web_login_attempts_address', table_name='web_login_attempts')
    op.drop_index('ix_web_login_attempts_user', table_name='web_login_attempts')
    op.drop_table('web_login_attempts')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('web_users')
