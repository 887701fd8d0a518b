"""The engine: the SQLite write lock (writers in other processes queue on it instead of polling SQLite's busy
handler) and the reads made once per transaction."""

import subprocess
import sys
import textwrap
import threading

from sqlalchemy import text

from lifeline.store.engine import WriteLock, forget, make_engine, once, session_factory, transaction


def test_a_second_holder_of_the_write_lock_waits_for_the_first(tmp_path):
    db = str(tmp_path / "lock.db")
    first, second = WriteLock(db), WriteLock(db)  # two open files: what two processes would have
    acquired = threading.Event()

    def take_second():
        with second:
            acquired.set()

    with first:
        waiter = threading.Thread(target=take_second)
        waiter.start()
        assert not acquired.wait(0.3), "the second writer went ahead while the first held the lock"
    assert acquired.wait(5)
    waiter.join()


def test_writers_in_two_processes_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'two.db'}"
    engine = make_engine(url)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE n (process INTEGER, i INTEGER)"))
    writer = textwrap.dedent(f"""
        import sys
        from sqlalchemy import text
        from lifeline.store.engine import make_engine, session_factory, transaction
        factory = session_factory(make_engine({url!r}))
        for i in range(300):
            with transaction(factory) as s:
                s.execute(text("INSERT INTO n VALUES (:p, :i)"), {{"p": int(sys.argv[1]), "i": i}})
    """)
    others = [subprocess.Popen([sys.executable, "-c", writer, str(p)]) for p in (1, 2)]
    factory = session_factory(engine)
    for i in range(300):
        with transaction(factory) as s:
            s.execute(text("INSERT INTO n VALUES (0, :i)"), {"i": i})
    assert [p.wait(60) for p in others] == [0, 0]
    with engine.connect() as c:
        assert c.execute(text("SELECT process, count(*) FROM n GROUP BY process ORDER BY process")).all() == [
            (0, 300), (1, 300), (2, 300),
        ]  # fmt: skip
    engine.dispose()


def test_once_reads_once_per_transaction_and_forgets_on_a_rollback_or_a_commit(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'memo.db'}")
    factory, reads = session_factory(engine), []

    def read():
        reads.append(1)
        return len(reads)

    with factory() as session:
        with session.begin():
            assert once(session, "k", read) == once(session, "k", read) == 1
            forget(session, "k")
            assert once(session, "k", read) == 2
            savepoint = session.begin_nested()
            savepoint.rollback()  # what was read inside may be undone: read again
            assert once(session, "k", read) == 3
        assert once(session, "k", read) == 4  # a new transaction reads anew
