"""`lifeline catalogue export` and `import`: a workbook out, and back in as a proposal by a centre's supervisor."""

from __future__ import annotations

import copy

from typer.testing import CliRunner

from lifeline.auth.service import SYSTEM, add_org, add_user
from lifeline.catalogue import excel, items
from lifeline.cli import app
from lifeline.store import migrate
from lifeline.store.engine import make_engine, session_factory, transaction

runner = CliRunner()


def test_export_then_import_proposes_a_version(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        add_org(session, SYSTEM, "C110", "110 指挥中心", "centre_110", None)
        add_user(session, SYSTEM, "boss", "supervisor", "C110", "correct-horse-9")
    engine.dispose()
    out = tmp_path / "catalogue.xlsx"
    exported = runner.invoke(app, ["catalogue", "export", "--out", str(out), "--db", url], env={"COLUMNS": "200"})
    assert exported.exit_code == 0, exported.output
    assert excel.read(out.read_bytes()).sha256 == items.shipped().sha256

    same = runner.invoke(app, ["catalogue", "import", str(out), "--as", "boss", "--db", url])
    assert same.exit_code == 2 and "相同" in same.output

    doc = copy.deepcopy(items.shipped().to_data())
    doc["items"][0]["say"] = "已转 12345，请保持电话畅通。"
    out.write_bytes(excel.export(items.from_data(doc)))
    proposed = runner.invoke(
        app, ["catalogue", "import", str(out), "--as", "boss", "--db", url], env={"COLUMNS": "200"}
    )
    assert proposed.exit_code == 0, proposed.output
    assert "v2" in proposed.output and "110" in proposed.output

    (tmp_path / "junk.xlsx").write_bytes(b"junk")
    junk = runner.invoke(app, ["catalogue", "import", str(tmp_path / "junk.xlsx"), "--as", "boss", "--db", url])
    assert junk.exit_code == 2 and "xlsx" in junk.output
