"""Baseline: our tables as they were when the schema moved to migrations.

Revision ID: 0001
Revises:
Create Date: 2026-12-04

On an empty database: every table with its indexes. On a database a version before migrations
made (tables created by `create_all`, no alembic_version table): only what is missing, every
row kept — the tables of features it did not have yet, the columns added since their table
first shipped (CATCH_UP_COLUMNS, from the repository's history), and the indexes (the
dashboard's were created on first use, so a database whose dashboard never opened lacks them).
"""

from typing import Callable, Dict, List, Sequence, Set, Tuple, Union

import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def handoff_tickets() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("preferred_time", sa.String(length=255), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=255), nullable=True),
        sa.Column("score_overall", sa.Float(), nullable=True),
        sa.Column("maturity_level", sa.String(length=16), nullable=True),
        sa.Column("dimension_scores", sa.JSON(), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=True),
        sa.Column("transcript", sa.JSON(), nullable=True),
        sa.Column("advisor", sa.String(length=120), nullable=True),
        sa.Column("advisor_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    ]


def handoff_ticket_events() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["handoff_tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def advisor_accounts() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    ]


def advisor_sessions() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("advisor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["advisor_id"], ["advisor_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_digest"),
    ]


def advisor_login_attempts() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]


def diagnostic_runs() -> List[sa.schema.SchemaItem]:
    scores = ["strategy", "infrastructure", "online_presence", "management", "security", "skills", "automation_ai"]
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bilan_id", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("questionnaire_version", sa.String(length=32), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_question", sa.String(length=64), nullable=True),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("restarted_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("score_overall", sa.Float(), nullable=True),
        sa.Column("maturity_level", sa.String(length=16), nullable=True),
        sa.Column("dimension_scores", sa.JSON(), nullable=True),
        # One column per dimension (the dimensions of this revision's day), for the dashboard's means.
        *[sa.Column(f"score_{dimension}", sa.Float(), nullable=True) for dimension in scores],
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("recommendations", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bilan_id"),
    ]


def conversation_signals() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    ]


def inbox_messages() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("labelled_by", sa.String(length=120), nullable=True),
        sa.Column("labelled_at", sa.DateTime(), nullable=True),
        sa.Column("labelled_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    ]


def platform_deliveries() -> List[sa.schema.SchemaItem]:
    return [
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "message_id"),
    ]


# Each table (a table before those whose foreign keys point to it) and its indexes, by name.
TABLES: Dict[str, Tuple[Callable[[], List[sa.schema.SchemaItem]], Dict[str, List[str]]]] = {
    "handoff_tickets": (
        handoff_tickets,
        {"ix_handoff_tickets_sender_id": ["sender_id"], "ix_handoff_tickets_created_at": ["created_at"]},
    ),
    "handoff_ticket_events": (
        handoff_ticket_events,
        {
            "ix_handoff_ticket_events_ticket_id": ["ticket_id"],
            "ix_handoff_ticket_events_kind_ticket": ["kind", "ticket_id", "at"],
        },
    ),
    "advisor_accounts": (advisor_accounts, {}),
    "advisor_sessions": (advisor_sessions, {}),
    "advisor_login_attempts": (
        advisor_login_attempts,
        {"ix_advisor_login_attempts_address": ["address"], "ix_advisor_login_attempts_at": ["at"]},
    ),
    "diagnostic_runs": (
        diagnostic_runs,
        {
            "ix_diagnostic_runs_sender_id": ["sender_id"],
            "ix_diagnostic_runs_started_at": ["started_at"],
            "ix_diagnostic_runs_completed_at": ["completed_at"],
            "ix_diagnostic_runs_sector_started": ["sector", "started_at"],
            "ix_diagnostic_runs_channel_started": ["channel", "started_at"],
        },
    ),
    "conversation_signals": (
        conversation_signals,
        {
            "ix_conversation_signals_at": ["at"],
            "ix_conversation_signals_sender_id": ["sender_id"],
            "ix_conversation_signals_kind_at": ["kind", "at"],
        },
    ),
    "inbox_messages": (
        inbox_messages,
        {
            "ix_inbox_messages_at": ["at"],
            "ix_inbox_messages_sender_id": ["sender_id"],
            "ix_inbox_messages_status": ["status"],
        },
    ),
    "platform_deliveries": (platform_deliveries, {"ix_platform_deliveries_seen_at": ["seen_at"]}),
}

# The nullable columns added to a table after its first release; `create_all` never added them
# to a table that existed. (The previous versions' add_missing_columns did, on start.)
CATCH_UP_COLUMNS = {
    "handoff_tickets": ["advisor", "advisor_id"],
    "advisor_accounts": ["role"],
}


def upgrade() -> None:
    if context.is_offline_mode():  # `alembic upgrade head --sql`: the SQL for an empty database
        present: Set[str] = set()
    else:
        inspector = sa.inspect(op.get_bind())
        present = set(inspector.get_table_names())
    for table, (columns, indexes) in TABLES.items():
        if table not in present:
            op.create_table(table, *columns())
            for name, indexed in indexes.items():
                op.create_index(name, table, indexed, unique=False)
            continue
        existing_columns = {column["name"] for column in inspector.get_columns(table)}
        for column in columns():
            if isinstance(column, sa.Column) and column.name in CATCH_UP_COLUMNS.get(table, ()):
                if column.name not in existing_columns:
                    op.add_column(table, column)
        existing_indexes = {index["name"] for index in inspector.get_indexes(table)}
        for name, indexed in indexes.items():
            if name not in existing_indexes:
                op.create_index(name, table, indexed, unique=False)


def downgrade() -> None:
    for table in reversed(list(TABLES)):
        op.drop_table(table)
