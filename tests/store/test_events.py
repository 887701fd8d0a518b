"""The event log: chained by hash, and `audit verify` names the first event that was edited."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from typer.testing import CliRunner

from lifeline.cli import app
from lifeline.store import events, migrate
from lifeline.store.base import Base
from lifeline.store.engine import make_engine, session_factory, transaction

runner = CliRunner()


def test_migrations_build_exactly_the_tables_the_models_describe(database):
    url, _ = database
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []
    assert migrate.current(make_engine(url)) == migrate.head()


def _append(url, n):
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        for i in range(n):
            events.append(session, "test.event", {"n": i, "text": "报警人称有人持刀"}, actor="tester")
    return engine


def test_a_fresh_chain_verifies(database):
    url, _ = database
    engine = _append(url, 5)
    with session_factory(engine)() as session:
        check = events.verify(session)
    assert check.ok and check.events >= 5


def test_editing_an_event_is_found_at_that_event(database):
    url, _ = database
    engine = _append(url, 5)
    with engine.begin() as connection:
        seq = connection.execute(text("SELECT max(seq) - 2 FROM events")).scalar()
        connection.execute(
            text("UPDATE events SET payload = :p WHERE seq = :s"), {"p": '{"n":99,"text":"无事"}', "s": seq}
        )
    with session_factory(engine)() as session:
        check = events.verify(session)
    assert check.broken_seq == seq and "modified" in check.reason


def test_deleting_an_event_is_found(database):
    url, _ = database
    engine = _append(url, 5)
    with engine.begin() as connection:
        seq = connection.execute(text("SELECT max(seq) - 1 FROM events")).scalar()
        connection.execute(text("DELETE FROM events WHERE seq = :s"), {"s": seq})
    with session_factory(engine)() as session:
        check = events.verify(session)
    assert check.broken_seq == seq and "missing" in check.reason


def test_rewriting_an_event_with_a_fresh_hash_breaks_the_next_link(database):
    url, _ = database
    engine = _append(url, 4)
    with transaction(session_factory(engine)) as session:
        last = session.scalar(select(events.Event).order_by(events.Event.seq.desc()))
        forged = session.get(events.Event, last.seq - 1)
        forged.payload = '{"forged":true}'
        forged.hash = events.event_hash(
            forged.prev_hash, forged.seq, forged.at, forged.kind, forged.actor, forged.incident_id, forged.payload
        )
    with session_factory(engine)() as session:
        check = events.verify(session)
    assert check.broken_seq == last.seq and "previous hash" in check.reason


def test_audit_verify_cli_detects_a_modified_incident_row(api, database):
    url, _ = database
    iid = api.report("有人拿刀在菜市场门口追着砍人")["incident"]["id"]
    assert runner.invoke(app, ["audit", "verify", "--db", url]).exit_code == 0
    with make_engine(url).begin() as connection:
        connection.execute(text("UPDATE incidents SET disposition = 'invalid' WHERE id = :i"), {"i": iid})
    result = runner.invoke(app, ["audit", "verify", "--db", url])
    assert result.exit_code == 1
    assert f"警情 {iid}" in result.output


def test_audit_verify_cli_names_the_first_broken_event(api, database):
    url, _ = database
    api.report("有人拿刀在菜市场门口追着砍人")
    with make_engine(url).begin() as connection:
        seq = connection.execute(text("SELECT min(seq) FROM events WHERE kind = 'report.received'")).scalar()
        connection.execute(text("UPDATE events SET actor = 'someone_else' WHERE seq = :s"), {"s": seq})
    result = runner.invoke(app, ["audit", "verify", "--db", url])
    assert result.exit_code == 1
    assert f"第 {seq} 号事件" in result.output
    assert api.get("supervisor", "/audit/verify").json()["broken_seq"] == seq


def test_deferred_events_are_written_together_in_order_when_the_block_ends(database):
    url, _ = database
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        before = session.scalar(select(events.ChainHead.seq))
        with events.deferred(session):
            for i in range(3):
                events.append(session, "test.deferred", {"n": i}, actor="tester")
                with events.deferred(session):  # nested: the outer block writes
                    events.append(session, "test.deferred", {"n": f"{i}.inner"}, actor="tester")
            assert session.scalar(select(events.ChainHead.seq)) == before  # nothing written yet
        written = session.scalars(select(events.Event).where(events.Event.seq > before).order_by(events.Event.seq))
        assert [e.data["n"] for e in written] == [0, "0.inner", 1, "1.inner", 2, "2.inner"]
    with session_factory(engine)() as session:
        assert events.verify(session).ok


def test_deferred_events_of_a_failed_block_are_dropped(database):
    url, _ = database
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        before = session.scalar(select(events.ChainHead.seq))
        try:
            with events.deferred(session):
                events.append(session, "test.deferred", {"n": 1}, actor="tester")
                raise RuntimeError("the work failed")
        except RuntimeError:
            pass
        events.append(session, "test.after", {"n": 2}, actor="tester")  # written at once again
        kinds = session.scalars(select(events.Event.kind).where(events.Event.seq > before)).all()
    assert kinds == ["test.after"]


def test_a_savepoint_rolled_back_inside_a_deferred_block_takes_its_events_with_it(database):
    url, _ = database
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        before = session.scalar(select(events.ChainHead.seq))
        with events.deferred(session):
            events.append(session, "test.kept", {"n": 1}, actor="tester")
            try:
                with session.begin_nested():
                    events.append(session, "test.undone", {"n": 2}, actor="tester")
                    raise RuntimeError("the step failed; its savepoint rolls back")
            except RuntimeError:
                pass
            with session.begin_nested():
                events.append(session, "test.kept", {"n": 3}, actor="tester")
        written = session.scalars(select(events.Event).where(events.Event.seq > before).order_by(events.Event.seq))
        assert [(e.kind, e.data["n"]) for e in written] == [("test.kept", 1), ("test.kept", 3)]
