"""The `lifeline` command."""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="lifeline：110 接警与 12345 热线协同平台 / the 110 alarm desk and its 12345 bridge",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)

DISPOSITION_STYLE = {"police": "bold red", "joint": "bold magenta", "divert": "bold green", "invalid": "dim"}


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]错误 error:[/red] {message}")
    raise typer.Exit(code)


def _show(result) -> None:
    from lifeline import taxonomy

    tax = taxonomy.default()
    disp = tax.dispositions[result.disposition]
    style = DISPOSITION_STYLE[result.disposition]
    console.print(
        f"[{style}]{disp.zh} {disp.en}[/{style}]  {result.category_zh} ({result.category})  "
        f"优先级 P{result.priority}  置信度 {result.confidence:.0%}"
    )
    dests = "、".join(tax.destinations[d].zh for d in result.destinations) or "—"
    console.print(f"去向 destinations: {dests}")
    if result.callback_required:
        console.print("[bold yellow]需回拨 call-back required[/bold yellow]")
    if result.needs_confirmation:
        console.print("[bold yellow]需人工确认 needs confirmation[/bold yellow]")
    if result.cues:
        console.print(_highlighted(result))
    for reason in result.reasons:
        console.print(f"  • {reason}")
    e = result.entities
    facts = {
        "电话 phones": ", ".join(e.phones),
        "车牌 plates": ", ".join(e.plates),
        "地址 address": e.address_text,
        "时间 times": ", ".join(e.times),
        "凶器 weapons": ", ".join(e.weapons),
        "人数 people": "" if e.people is None else str(e.people),
        "伤者 injured": "" if e.injured is None else str(e.injured),
    }
    for name, value in facts.items():
        if value:
            console.print(f"  {name}: {value}")


def _highlighted(result):
    """The text with each safety cue marked: red when it counts, yellow when doubtful, dim when not."""
    from rich.text import Text

    text = Text(result.text)
    for cue in result.cues:
        style = "bold white on red" if cue.active else "black on yellow" if cue.doubtful else "dim strike"
        text.stylize(style, cue.start, cue.end)
    return text


def _triage_lines(path: str) -> None:
    from lifeline.triage import triage

    stream = sys.stdin if path == "-" else None
    if stream is None:
        try:
            stream = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError as exc:
            _fail(f"无法读取 cannot read {path}: {exc.strerror}")
    out = sys.stdout
    with stream:
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                if not isinstance(item, dict) or "id" not in item or "text" not in item:
                    raise ValueError("needs an object with 'id' and 'text'")
            except ValueError as exc:
                _fail(
                    f"{path}:{n}: 每行须为含 id 与 text 的 JSON 对象 / "
                    f"each line must be a JSON object with id and text ({exc})"
                )
            result = triage(item["text"], item.get("channel") or "voice")
            out.write(json.dumps(result.contract(item["id"]), ensure_ascii=False) + "\n")


@app.command("triage")
def triage_cmd(
    text: Annotated[str | None, typer.Argument(help="来电文本 / call text")] = None,
    jsonl: Annotated[
        str | None, typer.Option("--jsonl", help="JSONL 文件（- 为标准输入），每行含 id、text，可选 channel")
    ] = None,
    channel: Annotated[str, typer.Option(help="渠道 channel: voice, sms, wechat, app, video, alarm_post")] = "voice",
    as_json: Annotated[bool, typer.Option("--json", help="输出完整 JSON / print the full result as JSON")] = False,
) -> None:
    """研判一条来电 / triage one call, or a JSONL file of calls."""
    if jsonl:
        _triage_lines(jsonl)
        return
    if text is None:
        _fail("请给出来电文本或 --jsonl 文件 / give the call text or --jsonl FILE")
    from lifeline.triage import triage

    result = triage(text, channel)
    if as_json:
        console.print_json(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _show(result)


@app.command("triage-eval")
def triage_eval(
    gold: Annotated[
        Path | None,
        typer.Argument(help="带标注的 JSONL（默认随包的示例集）/ labelled JSONL (default: the shipped sample)"),
    ] = None,
) -> None:
    """在标注集上评估研判 / evaluate triage on a labelled file.

    不给文件时用随包的示例集 src/lifeline/triage/sample.jsonl（90 条手写来电，不用于训练）。
    Without a file it evaluates the shipped sample (90 hand-written calls, never trained on).
    """
    from lifeline import taxonomy
    from lifeline.triage import corpus, triage
    from lifeline.triage.evaluate import Pair, metrics

    if gold is None:
        gold = corpus.SAMPLE
    if not gold.exists():
        _fail(f"文件不存在 no such file: {gold}")
    try:
        items = corpus.load(gold, taxonomy.default())
    except corpus.CorpusError as exc:
        _fail(str(exc))
    pairs = []
    for item in items:
        r = triage(item.text, item.channel)
        pairs.append(Pair(item.disposition, item.category, item.priority, r.disposition, r.category, r.priority))
    m = metrics(pairs)
    console.print(f"triage-eval {gold}: {m['items']} 条 items", soft_wrap=True)
    table = Table()
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in (
        "unsafe_diversion_rate",
        "diversion_recall",
        "invalid_recall",
        "disposition_accuracy",
        "category_accuracy",
        "category_macro_f1",
        "p1_recall",
    ):
        value = m[key]
        table.add_row(key, "n/a" if value is None else f"{value:.4f}")
    table.add_row("unsafe_diversions", str(m["unsafe_diversions"]))
    console.print(table)
    conf = Table(title="confusion: gold (rows) × predicted (columns)")
    conf.add_column("gold \\ pred")
    dispositions = list(m["confusion"])
    for d in dispositions:
        conf.add_column(d, justify="right")
    for g in dispositions:
        conf.add_row(g, *(str(m["confusion"][g][p]) for p in dispositions))
    console.print(conf)


@app.command("triage-train")
def triage_train(
    corpus_path: Annotated[Path, typer.Option("--corpus", help="训练语料 / training corpus")] = Path(
        "data/triage/train.jsonl"
    ),
    from_db: Annotated[
        str | None,
        typer.Option(
            "--from-db", help="加入该库中坐席确认的决定 / add the desk's confirmed decisions from this database"
        ),
    ] = None,
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="评估语料（可多次）/ evaluation corpus for the gate (repeatable)"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="模型输出路径 / artifact path")] = None,
) -> None:
    """训练研判模型，经评估闸门后替换 / train the triage model; it replaces the current one only through the gate.

    闸门：在每个评估语料上，新模型的误分流（需警务却被分流）不得增加；全部评估语料合计的分流召回率不得下降。
    The gate: on every evaluation corpus unsafe diversions may not rise; over all of them together diversion recall
    may not fall.
    评估语料默认：随包示例集，以及 tests/triage/eval/*.jsonl（若存在）。
    """
    try:
        from lifeline.triage.train import gate, train
    except ImportError:
        _fail("训练需要 train 依赖 / training needs the train extra: pip install 'lifeline[train]'")
    from lifeline import taxonomy
    from lifeline.triage import corpus
    from lifeline.triage.model import artifact_path, load_file, save

    tax = taxonomy.default()
    if not corpus_path.exists():
        _fail(f"语料不存在 no such corpus: {corpus_path}")
    golds = gold or [corpus.SAMPLE, *sorted(Path("tests/triage/eval").glob("*.jsonl"))]
    try:
        items = corpus.load(corpus_path, tax)
        gold_items = {str(path): corpus.load(path, tax) for path in golds}
    except (corpus.CorpusError, OSError) as exc:
        _fail(str(exc))
    if from_db is not None:
        from lifeline.incidents.service import desk_decisions

        with _database(from_db) as session:
            decisions = desk_decisions(session)
        desk = [corpus.parse(d, d["id"], tax) for d in decisions if d["category"] in tax.categories]
        overridden = sum(bool(d["override_reason"]) for d in decisions)
        console.print(f"坐席决定 desk decisions: {len(desk)} confirmed ({overridden} overriding the suggestion)")
        items += desk
    model = train(items, progress=console.print)
    out = out or artifact_path()
    try:
        current = load_file(out) if out.exists() else None
    except ValueError:  # an older format: nothing to compare against
        current = None
    ok, rows = gate(current, model, gold_items)
    table = Table(title=f"评估闸门 gate: {current.meta.get('version') if current else '—'} → {model.meta['version']}")
    for column in ("corpus", "figure", "current", "new", ""):
        table.add_column(column)
    for name, figure, was, now, fine in rows:
        shown = [("—" if v is None else f"{v:.4f}" if isinstance(v, float) else str(v)) for v in (was, now)]
        verdict = "" if fine is None else "ok" if fine else "[red]✗ 退步 worse[/red]"
        table.add_row(name, figure, *shown, verdict)
    console.print(table)
    if not ok:
        _fail("新模型未通过评估闸门，未替换 / the new model failed the gate; the current one stays")
    save(out, model)
    console.print(f"模型已保存 saved {out} ({out.stat().st_size / 1e6:.1f} MB), version {model.meta['version']}")


DbOption = Annotated[
    str | None, typer.Option("--db", help="数据库地址 database URL (默认 LIFELINE_DATABASE_URL 或 ./lifeline.db)")
]


def _settings(**flags):
    """The one Settings: flags that were given, else LIFELINE_* environment variables, else defaults."""
    from pydantic import ValidationError

    from lifeline.settings import Settings, problems

    try:
        return Settings(**{name: value for name, value in flags.items() if value is not None})
    except ValidationError as exc:
        _fail(problems(exc))


@contextmanager
def _database(db: str | None):
    """A migrated database and one transaction; domain errors become readable CLI errors."""
    from sqlalchemy.exc import OperationalError

    from lifeline.errors import LifelineError
    from lifeline.store import migrate
    from lifeline.store.engine import DatabaseURLError, make_engine, session_factory, transaction

    url = _settings(database_url=db).database_url
    try:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with transaction(session_factory(engine)) as session:
            yield session
    except DatabaseURLError as exc:
        _fail(str(exc))
    except OperationalError as exc:
        _fail(f"无法连接数据库 cannot reach the database: {exc.orig}")
    except LifelineError as exc:
        _fail(exc.detail)


db_app = typer.Typer(help="数据库 database", no_args_is_help=True)
org_app = typer.Typer(help="机构 organisations", no_args_is_help=True)
user_app = typer.Typer(help="用户 users", no_args_is_help=True)
token_app = typer.Typer(help="服务令牌 bearer tokens", no_args_is_help=True)
audit_app = typer.Typer(help="审计 audit", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """建库或升级到最新结构 / create or upgrade the schema."""
    from sqlalchemy.exc import OperationalError

    from lifeline.store import migrate
    from lifeline.store.engine import DatabaseURLError, make_engine

    try:
        before, after = migrate.upgrade(make_engine(_settings(database_url=db).database_url))
    except DatabaseURLError as exc:
        _fail(str(exc))
    except OperationalError as exc:
        _fail(f"无法连接数据库 cannot reach the database: {exc.orig}")
    console.print(f"数据库结构 schema: {before or '空 empty'} → {after}")


@org_app.command("add")
def org_add(
    code: Annotated[str, typer.Argument(help="机构代码 organisation code")],
    name: Annotated[str, typer.Option("--name", help="名称 name")],
    kind: Annotated[str, typer.Option("--kind", help="类型 kind: city, centre_110, police_station, ...")],
    parent: Annotated[str | None, typer.Option("--parent", help="上级机构代码 parent code")] = None,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="管辖范围 area served")] = "",
    serves: Annotated[str | None, typer.Option("--serves", help="对应去向 destination code, e.g. power")] = None,
    db: DbOption = None,
) -> None:
    """新增机构 / add an organisation."""
    from lifeline.auth.service import SYSTEM, add_org

    with _database(db) as session:
        org = add_org(session, SYSTEM, code, name, kind, parent, jurisdiction=jurisdiction, serves=serves)
        console.print(f"已新增机构 added {org.code} {org.name} ({org.kind})")


def _password_from_stdin(password_stdin: bool) -> str:
    if not password_stdin:
        _fail("请用 --password-stdin 从标准输入提供密码 / give the password on stdin with --password-stdin")
    return sys.stdin.readline().rstrip("\r\n")


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读密码 read the password")]
Username = Annotated[str, typer.Argument(help="用户名 username")]


@user_app.command("add")
def user_add(
    username: Username,
    role: Annotated[str, typer.Option("--role", help="角色 role: call_taker, dispatcher, ...")],
    org: Annotated[str, typer.Option("--org", help="所属机构代码 organisation code")],
    password_stdin: PasswordStdin = False,
    display_name: Annotated[str, typer.Option("--display-name", help="姓名 display name")] = "",
    db: DbOption = None,
) -> None:
    """新增用户 / add a user (password from stdin)."""
    from lifeline.auth.service import SYSTEM, add_user

    password = _password_from_stdin(password_stdin)
    with _database(db) as session:
        user = add_user(session, SYSTEM, username, role, org, password, display_name=display_name)
        console.print(f"已新增用户 added {user.username} ({user.role})")


@user_app.command("deactivate")
def user_deactivate(username: Username, db: DbOption = None) -> None:
    """停用用户：其令牌与会话立即失效 / deactivate a user: their tokens and sessions stop at once."""
    from lifeline.auth.service import SYSTEM, set_active

    with _database(db) as session:
        set_active(session, SYSTEM, username, False)
    console.print(f"已停用 deactivated {username}")


@user_app.command("reactivate")
def user_reactivate(username: Username, db: DbOption = None) -> None:
    """恢复停用的用户 / reactivate a user."""
    from lifeline.auth.service import SYSTEM, set_active

    with _database(db) as session:
        set_active(session, SYSTEM, username, True)
    console.print(f"已恢复 reactivated {username}")


@user_app.command("password")
def user_password(username: Username, password_stdin: PasswordStdin = False, db: DbOption = None) -> None:
    """重置用户密码并结束其全部会话 / reset a user's password (from stdin) and end their sessions."""
    from lifeline.auth.service import SYSTEM, reset_password

    password = _password_from_stdin(password_stdin)
    with _database(db) as session:
        ended = reset_password(session, SYSTEM, username, password)
    console.print(f"已重置 {username} 的密码 password reset; 结束会话 sessions ended: {ended}")


@user_app.command("logout")
def user_logout(username: Username, db: DbOption = None) -> None:
    """结束用户的全部控制台会话 / end all of a user's console sessions."""
    from lifeline.auth.service import SYSTEM, end_sessions

    with _database(db) as session:
        ended = end_sessions(session, SYSTEM, username)
    console.print(f"已结束 {username} 的会话 sessions ended: {ended}")


@user_app.command("unlock")
def user_unlock(
    username: Annotated[str | None, typer.Argument(help="用户名 username")] = None,
    address: Annotated[str | None, typer.Option("--address", help="客户端地址 a client address")] = None,
    db: DbOption = None,
) -> None:
    """解除登录失败锁定 / lift a failed-login lock of a user and/or an address."""
    from lifeline.auth.service import SYSTEM, unlock

    with _database(db) as session:
        released = unlock(session, SYSTEM, username, address)
    console.print(f"已解除锁定 unlocked ({released})")


@user_app.command("otp-off")
def user_otp_off(username: Username, db: DbOption = None) -> None:
    """移除用户的动态验证码（手机丢失时）/ remove a user's second factor (a lost phone)."""
    from lifeline.auth.service import SYSTEM, reset_otp

    with _database(db) as session:
        reset_otp(session, SYSTEM, username)
    console.print(f"已移除 {username} 的动态验证码 second factor removed")


@token_app.command("create")
def token_create(
    username: Username,
    days: Annotated[int, typer.Option("--days", min=1, max=3650, help="有效天数 days the token lives")] = 90,
    db: DbOption = None,
) -> None:
    """为用户签发令牌，只输出令牌本身 / print a new bearer token and nothing else."""
    from datetime import timedelta

    from lifeline.auth.service import SYSTEM, create_token

    with _database(db) as session:
        secret = create_token(session, SYSTEM, username, timedelta(days=days))
    print(secret)


@token_app.command("list")
def token_list(username: Username, db: DbOption = None) -> None:
    """列出用户的令牌（不含令牌本身）/ list a user's tokens (never the secrets)."""
    from lifeline.auth.service import SYSTEM, tokens_of

    table = Table("编号 id", "签发 created", "到期 expires", "吊销 revoked")
    with _database(db) as session:
        for token in tokens_of(session, SYSTEM, username):
            table.add_row(str(token.id), f"{token.created_at:%Y-%m-%d %H:%M}", f"{token.expires_at:%Y-%m-%d %H:%M}",
                          f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "—")  # fmt: skip
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1, help="令牌编号 token id (token list)")],
    db: DbOption = None,
):
    """吊销令牌 / revoke a token."""
    from lifeline.auth.service import SYSTEM, revoke_token

    with _database(db) as session:
        revoke_token(session, SYSTEM, token_id)
    console.print(f"已吊销令牌 revoked token {token_id}")


roads_app = typer.Typer(help="路网与地名 roads and places", no_args_is_help=True)
app.add_typer(roads_app, name="roads")


@roads_app.command("import")
def roads_import(
    file: Annotated[Path, typer.Argument(help="OpenStreetMap 数据 extract (.osm.pbf / .osm / .osm.bz2)")],
    name: Annotated[str | None, typer.Option("--name", help="路网名称 network name (默认取文件名)")] = None,
    db: DbOption = None,
) -> None:
    """载入 OpenStreetMap 路网，之后的定位与派警按它计算 / load an OSM extract: geocoding and ETAs use it from now."""
    from lifeline.auth.service import SYSTEM
    from lifeline.geo import osm
    from lifeline.geo import service as geo

    if not file.is_file():
        _fail(f"找不到文件 no such file: {file}")
    try:
        network = osm.read(file, name)
    except (ValueError, RuntimeError) as exc:
        _fail(f"无法读取路网 cannot read {file.name}: {exc}")
    with _database(db) as session:
        row = geo.store(session, SYSTEM, network)
    console.print(
        f"已载入路网 loaded #{row.id} {row.name}: {row.nodes} 节点 nodes, {row.edges} 路段 edges, "
        f"{len(network.roads)} 条有名道路 named ways, {row.places} 个地点 places"
    )


@roads_app.command("show")
def roads_show(db: DbOption = None) -> None:
    """在用的路网 / the network in use."""
    from lifeline.geo import service as geo

    with _database(db) as session:
        row = geo.current(session)
    if row is None:
        _fail("尚未载入路网 no road network loaded: lifeline roads import FILE.osm.pbf (演示市由 make demo 载入)", 1)
    console.print(f"#{row.id} {row.name} ({row.source}): {row.nodes} nodes, {row.edges} edges, {row.places} places")


catalogue_app = typer.Typer(help="诉求事项清单 the matters catalogue", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")


@catalogue_app.command("export")
def catalogue_export(
    out: Annotated[Path, typer.Option("--out", help="写入的 .xlsx 文件 the workbook to write")],
    db: DbOption = None,
) -> None:
    """导出现行清单为 Excel，可交给合作方 / the catalogue in force as a workbook to hand to partners."""
    from lifeline.catalogue import excel
    from lifeline.catalogue import service as catalogue

    with _database(db) as session:
        now = catalogue.current(session)
    out.write_bytes(excel.export(now.catalogue))
    console.print(
        f"已导出清单 v{now.number} exported: {len(now.catalogue.items)} 项 items → {out} (sha256 {now.sha256})"
    )


@catalogue_app.command("import")
def catalogue_import(
    file: Annotated[Path, typer.Argument(help="清单 Excel 文件 the workbook (.xlsx)")],
    as_user: Annotated[str, typer.Option("--as", help="提议人（中心值班长）the supervisor who proposes")],
    note: Annotated[str, typer.Option("--note", help="变更理由 why")] = "",
    db: DbOption = None,
) -> None:
    """导入 Excel 并提出清单变更，由另一方中心审批后生效 / propose the workbook: it takes effect when the other centre
    approves it (sent to the other centre's deployment when the peers file names one)."""
    from lifeline.auth.service import principal_of, user_by_name
    from lifeline.catalogue import service as catalogue
    from lifeline.peering.peers import Peers
    from lifeline.peering.peers import load as load_peers

    if not file.is_file():
        _fail(f"找不到文件 no such file: {file}")
    settings = _settings(database_url=db)
    peers = load_peers(str(settings.peers)) if settings.peers else Peers()
    here = settings.role

    def peer_for(role: str) -> str | None:
        if here in (role, "both"):
            return None
        peer = peers.by_role(role)
        return peer.name if peer else None

    with _database(db) as session:
        actor = principal_of(user_by_name(session, as_user), "cli")
        proposed = catalogue.read(session, file.read_bytes(), file.name)
        row = catalogue.propose(session, actor, here, proposed, "xlsx", note, peer_for)
        number, sha, side = row.number, row.sha256, row.proposed_side
    console.print(f"已提出清单版本 v{number} proposed by the {side} centre (sha256 {sha}); 待另一方中心审批 / awaiting"
                  " the other centre's approval")  # fmt: skip


open311_app = typer.Typer(help="Open311 GeoReport v2", no_args_is_help=True)
open311_key_app = typer.Typer(help="Open311 api_key", no_args_is_help=True)
open311_app.add_typer(open311_key_app, name="key")
app.add_typer(open311_app, name="open311")


@open311_key_app.command("create")
def open311_key_create(
    name: Annotated[str, typer.Argument(help="密钥名称（对接方）key name, e.g. the partner's app")],
    user: Annotated[
        str | None, typer.Option("--user", help="密钥代表的用户（默认新建专用 12345 话务员）the user the key acts as")
    ] = None,
    db: DbOption = None,
) -> None:
    """签发 Open311 api_key，只输出密钥本身 / print a new Open311 api_key and nothing else."""
    from lifeline.auth.service import SYSTEM
    from lifeline.open311.service import create_key

    with _database(db) as session:
        secret = create_key(session, SYSTEM, name, user)
    print(secret)


channel_app = typer.Typer(help="接入渠道：电话交换机、短信网关、APP、报警柱 channel senders", no_args_is_help=True)
post_app = typer.Typer(help="一键报警柱 alarm posts", no_args_is_help=True)
app.add_typer(channel_app, name="channel")
app.add_typer(post_app, name="post")


@channel_app.command("add")
def channel_add(
    name: Annotated[str, typer.Argument(help="渠道名称 the sender's name, sent as X-Lifeline-Sender")],
    kind: Annotated[str, typer.Option("--kind", help="phone | sms | app | post")],
    org: Annotated[str | None, typer.Option("--org", help="接收的 110 中心 the desk that takes its contacts")] = None,
    db: DbOption = None,
) -> None:
    """注册渠道，只输出一次密钥 / register a sender; prints its signing secret once, and nothing else."""
    from lifeline.auth.service import SYSTEM
    from lifeline.channels.service import add_sender

    with _database(db) as session:
        _, secret = add_sender(session, SYSTEM, name, kind, org)
    print(secret)


@channel_app.command("list")
def channel_list(db: DbOption = None) -> None:
    """列出渠道（不含密钥）/ list the senders (never their secrets)."""
    from lifeline.channels.service import senders

    with _database(db) as session:
        for sender in senders(session):
            state = f"停用 revoked {sender.revoked_at:%Y-%m-%d}" if sender.revoked_at else "启用 active"
            console.print(f"{sender.name}\t{sender.kind}\t{state}")


@channel_app.command("rotate")
def channel_rotate(name: Annotated[str, typer.Argument(help="渠道名称 its name")], db: DbOption = None) -> None:
    """换发密钥，只输出新密钥；旧密钥立即失效 / a new secret, printed once; the old one stops working at once."""
    from lifeline.auth.service import SYSTEM
    from lifeline.channels.service import rotate_secret

    with _database(db) as session:
        secret = rotate_secret(session, SYSTEM, name)
    print(secret)


@channel_app.command("revoke")
def channel_revoke(name: Annotated[str, typer.Argument(help="渠道名称 its name")], db: DbOption = None) -> None:
    """停用渠道：其签名不再被接受 / revoke a sender: its signatures are refused from now on."""
    from lifeline.auth.service import SYSTEM
    from lifeline.channels.service import revoke_sender

    with _database(db) as session:
        revoke_sender(session, SYSTEM, name)
    console.print(f"已停用 revoked {name}")


@post_app.command("add")
def post_add(
    code: Annotated[str, typer.Argument(help="报警柱编号 the post's code")],
    name: Annotated[str, typer.Option("--name", help="名称 name, e.g. 南京站北广场 1 号柱")],
    lat: Annotated[float, typer.Option("--lat", help="纬度 latitude")],
    lon: Annotated[float, typer.Option("--lon", help="经度 longitude")],
    sender: Annotated[str, typer.Option("--sender", help="代表它的 post 渠道 the post sender that speaks for it")],
    address: Annotated[str, typer.Option("--address", help="地址 address")] = "",
    heartbeat: Annotated[int, typer.Option("--heartbeat", help="心跳间隔秒 heartbeat seconds")] = 60,
    db: DbOption = None,
) -> None:
    """登记报警柱 / register an alarm post at its fixed place."""
    from lifeline.auth.service import SYSTEM
    from lifeline.channels.service import add_post

    with _database(db) as session:
        post = add_post(session, SYSTEM, code, name, lat, lon, sender, address, heartbeat)
        console.print(f"已登记报警柱 added post {post.code} {post.name} ({post.lat}, {post.lon})")


@audit_app.command("verify")
def audit_verify(db: DbOption = None) -> None:
    """校验事件哈希链与警情记录 / check the event chain and that incidents match it."""
    from lifeline.auth.service import SYSTEM
    from lifeline.incidents.service import audit

    with _database(db) as session:
        result = audit(session, SYSTEM)
    if not result.ok:
        _fail(result.problem, 1)
    console.print(f"[green]完好 intact[/green]: {result.events} 个事件 events, {result.incidents} 起警情 incidents")


@audit_app.command("caller-reads")
def audit_caller_reads(
    number: Annotated[str | None, typer.Option("--number", help="只看这个号码 only this caller")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 500,
    db: DbOption = None,
) -> None:
    """谁在何时查看了哪个来电人的号码或历史（CSV）/ who read which caller's data, when, from which incident (CSV)."""
    import csv
    import sys

    from lifeline.auth.service import SYSTEM
    from lifeline.incidents.schemas import CALLER_READ_COLUMNS, CallerRead, caller_read_row
    from lifeline.incidents.service import caller_reads

    writer = csv.writer(sys.stdout)
    writer.writerow(CALLER_READ_COLUMNS)
    with _database(db) as session:
        writer.writerows(caller_read_row(CallerRead.of(e)) for e in caller_reads(session, SYSTEM, number, limit))


@app.command("report")
def report_cmd(
    kind: Annotated[str, typer.Argument(help="daily 日报 | monthly 月报 | yearly 年报")],
    day: Annotated[
        str | None, typer.Option("--date", help="期间内的一天 a day in the period, YYYY-MM-DD (默认今天)")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="输出文件 .xlsx 或 .html / the file to write")] = Path(
        "report.xlsx"
    ),
    org: Annotated[str | None, typer.Option("--org", help="只统计该机构及下级 only this organisation's part")] = None,
    db: DbOption = None,
) -> None:
    """写出日报、月报或年报（Excel 含图表，或 .html 打印页）/ write the daily, monthly or yearly report."""
    from datetime import date

    from lifeline.analytics import reports, service, summary
    from lifeline.auth.service import SYSTEM
    from lifeline.common import CHINA
    from lifeline.store.base import utcnow

    if kind not in reports.KINDS:
        _fail(f"报表应为 daily、monthly 或 yearly / the report is daily, monthly or yearly, not {kind!r}")
    if out.suffix not in (".xlsx", ".html"):
        _fail(f"输出文件应为 .xlsx 或 .html / --out must end in .xlsx or .html: {out}")
    now = utcnow()
    try:
        on = date.fromisoformat(day) if day else now.astimezone(CHINA).date()
    except ValueError:
        _fail(f"--date 应为 YYYY-MM-DD / --date must be a day such as 2026-10-01: {day!r}")
    with _database(db) as session:
        built = summary.refresh(session, now, limit=None)  # settled days not yet summarised, then read them
        written = reports.build(session, SYSTEM, kind, on, now, service.resolve_scope(session, org))
    try:
        out.write_bytes(reports.to_xlsx(written)) if out.suffix == ".xlsx" else out.write_text(
            reports.to_html(written), encoding="utf-8"
        )
    except OSError as exc:
        _fail(f"无法写入 cannot write {out}: {exc.strerror}")
    console.print(f"{written.title} → {out}（汇总了 {built} 个日/月/年 summaries built）")
    console.print(written.published)


@app.command("export")
def export_cmd(
    kind: Annotated[str, typer.Argument(help="incidents 警情 | orders 工单")],
    since: Annotated[str, typer.Option("--since", help="起 ISO 8601, e.g. 2026-11-01T00:00:00+08:00")],
    until: Annotated[str, typer.Option("--until", help="止（不含）ISO 8601")],
    out: Annotated[Path, typer.Option("--out", help="输出 .csv 或 .xlsx / the file to write")] = Path("export.csv"),
    category: Annotated[str | None, typer.Option("--category", help="类别或类 category or family")] = None,
    org: Annotated[str | None, typer.Option("--org", help="机构代码（含下级）an organisation's code")] = None,
    full_numbers: Annotated[bool, typer.Option("--full-numbers", help="完整号码（记入审计）unmasked, audited")] = False,
    db: DbOption = None,
) -> None:
    """导出一段时间的警情或工单（含全部环节时间）/ export a period's incidents or orders with every lifecycle time."""
    from lifeline.analytics import exports, service
    from lifeline.api.schemas import query_time
    from lifeline.auth.service import SYSTEM
    from lifeline.errors import LifelineError
    from lifeline.store.engine import make_engine, reader_factory

    if kind not in exports.KINDS:
        _fail(f"导出 incidents 或 orders / export incidents or orders, not {kind!r}")
    fmt = out.suffix.removeprefix(".")
    if fmt not in ("csv", "xlsx"):
        _fail(f"输出文件应为 .csv 或 .xlsx / --out must end in .csv or .xlsx: {out}")
    try:
        start, end = query_time(since, "--since"), query_time(until, "--until")
    except LifelineError as exc:
        _fail(exc.detail)
    if end <= start:
        _fail("--until 须晚于 --since / --until must be later than --since")
    with _database(db) as session:
        f = exports.Filter(start, end, service.resolve_scope(session, org, None, category))
        exports.begin(session, SYSTEM, kind, f, full_numbers)
    readers = reader_factory(make_engine(_settings(database_url=db).database_url))
    chunks = (exports.xlsx_chunks if fmt == "xlsx" else exports.csv_lines)(readers, SYSTEM, kind, f, full_numbers)
    try:
        with out.open("wb") as file:
            for chunk in chunks:
                file.write(chunk)
    except OSError as exc:
        _fail(f"无法写入 cannot write {out}: {exc.strerror}")
    console.print(f"{kind} → {out}")


@app.command("policy")
def policy_table() -> None:
    """打印访问策略表（docs/SECURITY.md 的表格）/ print the access table every route is checked against."""
    from lifeline.auth.policy import markdown

    typer.echo(markdown(), nl=False)


@app.command("serve")
def serve(
    role: Annotated[str | None, typer.Option("--role", help="110 | 12345 | both (LIFELINE_ROLE, 默认 both)")] = None,
    db: DbOption = None,
    host: Annotated[str | None, typer.Option("--host", help="监听地址 (LIFELINE_HOST, 默认 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口 (LIFELINE_PORT, 默认 8110)")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=64, help="进程数 server processes (LIFELINE_WORKERS, 默认 1)")
    ] = None,
    peers: Annotated[str | None, typer.Option("--peers", help="对端平台配置 peers YAML (LIFELINE_PEERS)")] = None,
) -> None:
    """启动服务（首次启动自动建库）/ serve the API; creates and upgrades the database on first start.

    每项设置可由参数或 LIFELINE_* 环境变量给出，参数优先；`lifeline settings` 列出全部。
    Each setting comes from its flag, else its LIFELINE_* variable; `lifeline settings` lists them all.
    """
    import uvicorn

    from lifeline.web.app import create_app

    settings = _settings(role=role, database_url=db, host=host, port=port, workers=workers, peers=peers)
    # create_app reads the files the settings name: a bad one stops us here, not in a worker.
    with _readable_start_errors():
        application = create_app(settings)
    options = {"host": settings.host, "port": settings.port, "log_level": "warning", "access_log": False}
    with _held(settings.database_url, alone=False, name=db or settings.database_url):
        if settings.workers == 1:
            uvicorn.run(application, **options)
            return
        _serve_workers(settings, options)


def _serve_workers(settings, options: dict) -> None:
    import functools

    import uvicorn
    from sqlalchemy.exc import OperationalError

    from lifeline.store import migrate
    from lifeline.store.engine import make_engine
    from lifeline.web.app import create_app

    try:
        migrate.upgrade(make_engine(settings.database_url))  # once, before the workers race to do it
    except OperationalError as exc:
        _fail(f"无法连接数据库 cannot reach the database: {exc.orig}")
    # Each worker process builds its own application from the same settings, sent to it pickled.
    config = uvicorn.Config(functools.partial(create_app, settings), factory=True, workers=settings.workers, **options)
    _run_workers(config)


@contextmanager
def _readable_start_errors():
    """Bad files named by the settings become one readable line instead of a traceback."""
    from lifeline.callers.criteria import CriteriaError
    from lifeline.diversion.routing import RoutingError
    from lifeline.peering.peers import PeersError
    from lifeline.taxonomy import TaxonomyError

    try:
        yield
    except (CriteriaError, PeersError, RoutingError, TaxonomyError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"无法读取 cannot read {exc.filename}: {exc.strerror}")


def _run_workers(config) -> None:
    """What `uvicorn.run` does for workers > 1, for an application factory that is not an import string."""
    import inspect

    from uvicorn import Server
    from uvicorn.supervisors import Multiprocess

    sockets = [config.bind_socket()]
    if "target" in inspect.signature(Multiprocess).parameters:  # uvicorn before the worker healthchecks
        supervisor = Multiprocess(config, target=Server(config).run, sockets=sockets)
    else:
        supervisor = Multiprocess(config, sockets=sockets)
    with suppress(KeyboardInterrupt):
        supervisor.run()


province_app = typer.Typer(help="全省：各市 110 与 12345 及省级枢纽 a province and its hub", no_args_is_help=True)
app.add_typer(province_app, name="province")


@province_app.command("up")
def province_up(
    cities: Annotated[int, typer.Option("--cities", min=1, max=11, help="城市数 how many cities (江西 11 市)")] = 11,
    folder: Annotated[Path, typer.Option("--dir", help="数据与配置目录 the province's folder")] = Path("province"),
    port: Annotated[int, typer.Option("--port", min=1024, max=65000, help="枢纽端口，各市依次 the hub's port")] = 8200,
    postgres: Annotated[
        str | None, typer.Option("--postgres", help="PostgreSQL 服务器（每个部署一个库）one database each there")
    ] = None,
) -> None:
    """启动全省：每市 110 与 12345 各一个进程、各自的数据库，加省级枢纽，直到 Ctrl-C。
    Start a province: each city's 110 and 12345 (own process, own database) and the hub, until Ctrl-C; a process
    that ends is started again."""
    from lifeline.province import up

    try:
        deployments = up.plan(cities, folder.resolve(), port, postgres)
    except ValueError as exc:
        _fail(str(exc))
    up.write_files(folder, deployments)
    console.print(f"准备数据库 preparing {len(deployments)} databases …")
    up.prepare_databases(deployments)
    supervisor = up.Supervisor(deployments, folder)
    supervisor.start()
    try:
        if not supervisor.ready():
            _fail(f"有部署未能启动，见 {folder}/*.log / a deployment did not start: see the logs in {folder}")
        table = Table("部署 deployment", "角色 role", "地址 address")
        for d in deployments:
            table.add_row(d.name, d.role, d.url)
        console.print(table)
        console.print(f"全省控制台 the province's console: {deployments[0].url}/console/province  (Ctrl-C 停止 stop)")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()


@app.command("settings")
def settings_cmd() -> None:
    """列出全部设置、环境变量与当前取值 / every setting, its environment variable and its value now."""
    from sqlalchemy.engine import make_url

    from lifeline.settings import Settings

    current = _settings()
    table = Table("环境变量 variable", "当前值 value", "说明 meaning")
    for name, field in Settings.model_fields.items():
        value = getattr(current, name)
        shown = "" if value is None else "***" if name == "token" else str(value)
        if name == "database_url":
            shown = make_url(value).render_as_string(hide_password=True)
        table.add_row(Settings.env_name(name), shown, field.description)
    console.print(table)


peers_app = typer.Typer(help="对端平台 peer platforms", no_args_is_help=True)
app.add_typer(peers_app, name="peers")


@peers_app.command("check")
def peers_check(
    peers: Annotated[str | None, typer.Option("--peers", help="对端平台配置 peers YAML (LIFELINE_PEERS)")] = None,
) -> None:
    """逐个检查对端是否可达、密钥是否被接受 / who is reachable, and with which key."""
    import httpx

    from lifeline.peering.peers import PeersError
    from lifeline.peering.peers import load as load_peers
    from lifeline.peering.relay import signed_headers

    path = _settings(peers=peers).peers
    try:
        config = load_peers(str(path)) if path else None
    except PeersError as exc:
        _fail(str(exc))
    if config is None or not config.peers:
        _fail("没有配置对端 no peers configured: --peers FILE or LIFELINE_PEERS")
    table = Table("对端 peer", "角色 role", "地址 url", "密钥 key", "结果 result")
    failed = 0
    for peer in config.peers.values():
        try:
            answer = httpx.post(
                f"{peer.url}/exchange/v1/ping",
                content=b"{}",
                headers=signed_headers(config.name, peer, b"{}"),
                timeout=5,
            )
            result = (
                "[green]可达，密钥已接受 reachable, key accepted[/green]"
                if answer.status_code == 200
                else (f"[red]HTTP {answer.status_code}: {answer.json().get('detail', '')}[/red]")
            )
            failed += answer.status_code != 200
        except (httpx.HTTPError, ValueError) as exc:
            result, failed = f"[red]不可达 unreachable: {exc}[/red]", failed + 1
        table.add_row(peer.name, peer.role, peer.url, peer.send_key, result)
    console.print(table)
    if failed:
        raise typer.Exit(1)


@peers_app.command("dead-letters")
def peers_dead_letters(
    state: Annotated[str, typer.Option("--state", help="parked | replayed | dropped")] = "parked",
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="最多几条 how many")] = 50,
    db: DbOption = None,
) -> None:
    """无法处理而搁置的对端消息 / messages from peers that were parked, newest first."""
    from lifeline.auth.service import SYSTEM
    from lifeline.peering import dead_letters

    with _database(db) as session:
        rows = dead_letters.listing(session, SYSTEM, state, None, limit)
        # One tab-separated line each, whole: the reasons are long and a table would cut them.
        print("id\tpeer\tseq\tkind\tstate\treceived_at\treason")
        for r in rows:
            print("\t".join(map(str, (r.id, r.peer, r.seq, r.kind, r.state, r.received_at.isoformat(), r.reason))))


@peers_app.command("replay")
def peers_replay(
    letter: Annotated[int, typer.Argument(help="死信编号 dead letter id", min=1, max=2**31 - 1)],
    peers: Annotated[str | None, typer.Option("--peers", help="对端平台配置 peers YAML (LIFELINE_PEERS)")] = None,
    role: Annotated[str | None, typer.Option("--role", help="110 | 12345 | both (LIFELINE_ROLE)")] = None,
    db: DbOption = None,
) -> None:
    """原因排除后重放死信 / run a parked message again, after its cause was fixed."""
    from lifeline.auth.service import SYSTEM
    from lifeline.desk import inbox
    from lifeline.desk.flows import Desk
    from lifeline.diversion import routing
    from lifeline.peering.peers import PeersError
    from lifeline.peering.peers import load as load_peers

    settings = _settings(database_url=db, peers=peers, role=role)
    try:
        config = load_peers(str(settings.peers)) if settings.peers else None
    except PeersError as exc:
        _fail(str(exc))
    if config is None:
        _fail("重放须知对端配置 replaying needs the peers: --peers FILE or LIFELINE_PEERS")
    table = routing.load(str(settings.routing)) if settings.routing else routing.Table()
    with _database(settings.database_url) as session:
        done = inbox.replay(session, SYSTEM, Desk(settings.role, config, table), letter)
        state, reason = done.state, done.reason
    if state != "replayed":
        _fail(f"仍搁置 still parked: {reason}", 1)
    console.print(f"[green]已重放 replayed[/green] {letter}")


@peers_app.command("drop")
def peers_drop(
    letter: Annotated[int, typer.Argument(help="死信编号 dead letter id", min=1, max=2**31 - 1)],
    db: DbOption = None,
) -> None:
    """放弃死信（保留记录）/ drop a parked message: it stays listed, not applied."""
    from lifeline.auth.service import SYSTEM
    from lifeline.peering import dead_letters

    with _database(db) as session:
        dead_letters.drop(session, SYSTEM, letter)
    console.print(f"已放弃 dropped {letter}")


DEMO_DB = "sqlite:///lifeline-demo.db"
DEMO_LAYERS = "lifeline-demo.geojson"


def _triage_samples() -> None:
    samples = [
        ("voice", "着火了！幸福小区3栋2单元楼道里全是烟，有人被困在五楼"),
        ("voice", "我车被一辆白色轿车堵住了，车牌粤B·7K2M9，麻烦联系车主挪一下"),
        ("voice", "楼上装修天天电钻响，吵得要命，但是现在听到楼上女的在喊救命，还有砸东西的声音"),
        ("sms", "老板欠我们三个月工资不给，在建工地，一共十二个人"),
        ("voice", "能帮我充一下话费吗"),
        ("voice", "（无声，只有呼吸声，随后挂断）"),
        ("voice", "没有人受伤，就是两辆车刮了一下，在人民路和解放路路口"),
    ]
    from lifeline.triage import triage

    for channel, text in samples:
        console.rule(f"[bold]{channel}[/bold] {text}")
        _show(triage(text, channel))


def _demo_banner(base: str, rate: float) -> None:
    from lifeline.auth.models import ROLES
    from lifeline.demo.city import PASSWORD, USERS

    console.rule("[bold]lifeline 演示 demo：示范市 110 + 12345[/bold]")
    console.print(f"打开 open [bold cyan]{base}/[/bold cyan]  （Ctrl-C 结束 to stop）")
    console.print(f"模拟来电 simulated calls: 每分钟约 {rate:g} 个 / about {rate:g} a minute")
    table = Table("用户名 username", "密码 password", "角色 role", "单位 organisation")
    for username, role, org, _display in USERS:
        table.add_row(username, PASSWORD, f"{ROLES[role]} {role}", org)
    console.print(table)


def _simulate_when_ready(base: str, tokens, rate: float, stop, seed: int = 110) -> None:
    """The demo's simulator thread: waits for the server, then calls until `stop` is set."""
    import time
    import urllib.request

    from lifeline.demo import simulator

    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            stop.wait(0.3)
    else:
        return
    simulator.run(base, tokens, rate, None, seed=seed, stop=stop, out=lambda line: print(line, flush=True))


@app.command("demo")
def demo(
    triage_only: Annotated[
        bool, typer.Option("--triage-only", help="只演示研判示例，不启动服务 / only triage sample calls, no server")
    ] = False,
    db: Annotated[str, typer.Option("--db", help="演示数据库 demo database URL")] = DEMO_DB,
    port: Annotated[int, typer.Option("--port", help="端口 port on 127.0.0.1")] = 8110,
    rate: Annotated[float, typer.Option("--rate", min=0, help="每分钟模拟来电数（0 为不模拟）calls a minute")] = 20,
) -> None:
    """演示：建示范市、启动服务与来电模拟，直到 Ctrl-C / demo: seed a city, serve it, simulate calls until Ctrl-C.

    建库到 ./lifeline-demo.db（或 --db），写出区划图层 ./lifeline-demo.geojson，在 http://127.0.0.1:8110/ 以
    both 角色启动服务，并在同一进程里按 --rate 模拟来电与坐席操作。
    Seeds the demo city (示范市) into ./lifeline-demo.db (or --db) and its districts into ./lifeline-demo.geojson,
    serves both roles on 127.0.0.1:--port, and runs the call simulator in a thread of the same process.
    端口被占用、或数据库正被另一个 lifeline 服务使用时，说明原因并退出，什么也不改。
    When the port is busy or another lifeline server holds the database, it says so and changes nothing.
    """
    if triage_only:
        _triage_samples()
        return
    import threading

    import uvicorn
    from sqlalchemy.exc import OperationalError

    from lifeline.demo import city, simulator
    from lifeline.web.app import create_app

    url = _settings(database_url=db).database_url
    # Before anything is written: is the port ours, and is the database ours alone? A second demo, or a demo
    # beside a server on the same database, must not seed it or send its busy units home.
    listener = _listen(port)
    with listener, _held(url, alone=True, name=db):
        try:
            seeded = city.seed(url)
            city.release_units(url)  # units a stopped demo left on a call are back on patrol
            tokens = simulator.tokens_from_database(url)
        except OperationalError as exc:
            _fail(f"无法连接数据库 cannot reach the database: {exc.orig}")
        layers = city.write_layers(DEMO_LAYERS).resolve()
        settings = _settings(database_url=url, role="both", city_layers=str(layers), host="127.0.0.1", port=port)
        added = seeded["added"]
        console.print(
            f"示范市 demo city: {seeded['orgs']} 个单位 organisations, {seeded['users']} 个用户 users, "
            f"{seeded['units']} 个警力 units（本次新增 added {added['orgs']}/{added['users']}/{added['units']}）; "
            f"数据库 database {db}; 图层 layers {layers}"
        )
        with _readable_start_errors():
            application = create_app(settings)
        base = f"http://127.0.0.1:{port}"
        _demo_banner(base, rate)
        stop = threading.Event()
        worker = None
        if rate > 0:
            worker = threading.Thread(
                target=_simulate_when_ready, args=(base, tokens, rate, stop), name="lifeline-simulator", daemon=True
            )
            worker.start()
        config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[listener])
        finally:
            stop.set()
            if worker is not None:
                worker.join(timeout=5)
        if not server.started:  # as uvicorn.run: the application did not start (it said why)
            raise typer.Exit(1)


def _listen(port: int):
    """A socket listening on 127.0.0.1:port, the way uvicorn binds one; a busy port is a readable error."""
    import socket

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(2048)  # now no one else can take it while the demo gets ready
    except OSError as exc:
        listener.close()
        _fail(
            f"端口 {port} 已被占用（另一个演示或服务？）/ port {port} is busy (another demo or server?): "
            f"{exc.strerror}. 请先停止它，或换一个端口 stop it, or choose another port: lifeline demo --port {port + 1}"
        )
    return listener


@contextmanager
def _held(url: str, *, alone: bool, name: str):
    """Hold the database for as long as this command serves it (see store/hold.py); refuse when we may not."""
    from sqlalchemy.exc import OperationalError

    from lifeline.store.hold import DatabaseHeld, hold

    try:
        with hold(url, alone=alone):
            yield
    except OperationalError as exc:
        _fail(f"无法连接数据库 cannot reach the database: {exc.orig}")
    except DatabaseHeld:
        if alone:
            _fail(
                f"数据库 {name} 正被另一个 lifeline 服务使用（演示或 lifeline serve）/ the database {name} is in "
                "use by another lifeline server (a demo or lifeline serve). 请先停止它，或给演示另一个数据库 stop it, "
                "or give the demo another database: lifeline demo --db sqlite:///lifeline-demo-2.db"
            )
        _fail(
            f"数据库 {name} 正由一个演示独占 / a demo holds the database {name} alone. 请先停止演示（Ctrl-C），或换一个"
            "数据库 stop the demo first (Ctrl-C), or serve another database: --db"
        )


@app.command("simulate")
def simulate(
    url: Annotated[str, typer.Option("--url", help="服务地址 server URL")] = "http://127.0.0.1:8110",
    rate: Annotated[float, typer.Option("--rate", min=0.01, help="每分钟来电数 calls per minute")] = 20,
    duration: Annotated[
        float | None,
        typer.Option("--duration", min=0, help="持续秒数（不填则直到 Ctrl-C）seconds; default: until Ctrl-C"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 random seed (same seed, same calls)")] = 110,
    token: Annotated[
        str | None, typer.Option("--token", help="接警员令牌 a call-taker's bearer token (LIFELINE_TOKEN)")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="服务所用数据库：为示范用户签发令牌 the server's database, to make tokens"),
    ] = None,
    speed: Annotated[
        float, typer.Option("--speed", min=0.01, help="坐席操作加速倍数 how much faster the desk acts (1 = real time)")
    ] = 1.0,
    curve: Annotated[
        bool, typer.Option("--curve", help="来电量随钟点起伏（--rate 为全天平均）follow the hourly curve")
    ] = False,
) -> None:
    """向运行中的服务模拟来电与坐席操作 / simulate calls and the desk against a running server.

    令牌 tokens: 给 --db（与服务同一数据库，须已由 `lifeline demo` 建好示范市）时，直接在库中为示范用户
    jiejing/diaodu/rexian/shichang 签发令牌，模拟接警、确认、派警、警力状态、工单签收办结回访的全流程；
    只给 --token（接警员令牌，或环境变量 LIFELINE_TOKEN）时只模拟接警员能做的：接警、确认、派工单、无效结案。
    With --db (the server's own database, with the demo city seeded) tokens are made for the demo users and the
    whole desk is played; with --token alone (a call-taker's token) only the call-taker's part is.
    每约 10 秒打印一行状态；请求失败只打印一行并继续 / one status line every ~10 s; a failed request is printed
    and the run goes on.
    """
    from sqlalchemy.exc import OperationalError

    from lifeline.demo import simulator
    from lifeline.errors import LifelineError
    from lifeline.store.engine import DatabaseURLError

    secret = _settings(token=token).token
    token = secret.get_secret_value() if secret else None
    if not token and not db:
        _fail("请给出 --token（接警员令牌）或 --db（服务的数据库）/ give --token (a call-taker's) or --db")
    tokens = simulator.Tokens(call_taker=token or "")
    if db:
        try:
            tokens = simulator.tokens_from_database(db)
        except DatabaseURLError as exc:
            _fail(str(exc))
        except (LifelineError, OperationalError) as exc:
            detail = exc.detail if isinstance(exc, LifelineError) else str(exc.orig)
            _fail(f"{detail}（请先运行 run `lifeline demo --db {db}` 建示范市 to seed the demo city）")
        if token:
            tokens.call_taker = token
    try:
        client = simulator.Client(url)
    except ValueError as exc:
        _fail(str(exc))
    client.close()
    console.print(f"模拟来电 simulating: {url}, 每分钟 {rate:g} 个 calls a minute, 种子 seed {seed}")
    try:
        stats = simulator.run(
            url,
            tokens,
            rate,
            duration,
            seed=seed,
            speed=speed,
            curve=curve,
            out=lambda line: print(line, flush=True),
        )
    except KeyboardInterrupt:
        return
    if stats.counts["calls"] == 0 and stats.errors:
        _fail(f"没有一条来电被接收 no call was taken: {stats.last_error}", 1)


if __name__ == "__main__":
    app()
