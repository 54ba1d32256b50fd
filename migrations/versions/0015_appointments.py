"""Desk appointments: the one-stop desk's weekly pattern and closures, the seat counter of each
booked slot, and residents' bookings.

* `desk_slots` (unit_id, starts_at) is unique: a booking takes a seat with one upsert guarded by
  the capacity (app/appointments/booking.py), so simultaneous bookings cannot overbook;
* `uq_appointments_person_day` (partial, live bookings only): one live booking per person and day;
* `ix_appointments_reminder_due` (partial): the reminder pass's candidates only.

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booked', sa.Integer(), nullable=False),
    sa.CheckConstraint('booked >= 0', name=op.f('ck_desk_slots_booked')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_desk_slots_unit_id_admin_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_slots')),
    sa.UniqueConstraint('unit_id', 'starts_at', name=op.f('uq_desk_slots_unit_id'))
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('no_show_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('booked', 'cancelled', 'arrived', 'no_show')", name=op.f('ck_appointments_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_appointments_times')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_appointments_cancelled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_appointments_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_appointments_procedure_id_procedures')),
    sa.ForeignKeyConstraint(['slot_id'], ['desk_slots.id'], name=op.f('fk_appointments_slot_id_desk_slots')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_appointments_unit_id_admin_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_appointments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('code', name=op.f('uq_appointments_code'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_reminder_due', ['remind_at'], unique=False, sqlite_where=sa.text("status = 'booked' AND reminded_at IS NULL AND remind_at IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND reminded_at IS NULL AND remind_at IS NOT NULL"))
        batch_op.create_index(batch_op.f('ix_appointments_slot_id'), ['slot_id'], unique=False)
        batch_op.create_index('ix_appointments_unit_day', ['unit_id', 'day', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_appointments_person_day', ['user_id', 'day'], unique=True, sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))

    op.create_table('desk_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=True),
    sa.Column('end_minute', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(start_minute IS NULL AND end_minute IS NULL) OR (start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute)', name=op.f('ck_desk_closures_hours')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_desk_closures_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_desk_closures_unit_id_admin_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_closures'))
    )
    with op.batch_alter_table('desk_closures', schema=None) as batch_op:
        batch_op.create_index('ix_desk_closures_unit_day', ['unit_id', 'day'], unique=False)

    op.create_table('desk_openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 1 AND 100', name=op.f('ck_desk_openings_capacity')),
    sa.CheckConstraint('end_minute - start_minute >= slot_minutes', name=op.f('ck_desk_openings_length')),
    sa.CheckConstraint('slot_minutes BETWEEN 5 AND 240', name=op.f('ck_desk_openings_slot_minutes')),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440', name=op.f('ck_desk_openings_day')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 4', name=op.f('ck_desk_openings_weekday')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_desk_openings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_desk_openings_unit_id_admin_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_openings'))
    )
    with op.batch_alter_table('desk_openings', schema=None) as batch_op:
        batch_op.create_index('ix_desk_openings_unit_weekday', ['unit_id', 'weekday'], unique=False)


def downgrade():
    with op.batch_alter_table('desk_openings', schema=None) as batch_op:
        batch_op.drop_index('ix_desk_openings_unit_weekday')

    op.drop_table('desk_openings')
    with op.batch_alter_table('desk_closures', schema=None) as batch_op:
        batch_op.drop_index('ix_desk_closures_unit_day')

    op.drop_table('desk_closures')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_person_day', sqlite_where=sa.text("status <> 'cancelled'"), postgresql_where=sa.text("status <> 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_appointments_user_id'))
        batch_op.drop_index('ix_appointments_unit_day')
        batch_op.drop_index(batch_op.f('ix_appointments_slot_id'))
        batch_op.drop_index('ix_appointments_reminder_due', sqlite_where=sa.text("status = 'booked' AND reminded_at IS NULL AND remind_at IS NOT NULL"), postgresql_where=sa.text("status = 'booked' AND reminded_at IS NULL AND remind_at IS NOT NULL"))

    op.drop_table('appointments')
    op.drop_table('desk_slots')
