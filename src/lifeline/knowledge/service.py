"""The 12345 knowledge base: articles (operators draft, supervisors publish and retire), search at the desk, the
record of contacts answered directly from an article, and the direct-answer rate.

Closing a contact as answered is the desk's flow (`desk.flows.answer_directly`): it moves the incident through
`incidents.service` and records the answer here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lifeline import taxonomy
from lifeline.analytics import kpis
from lifeline.auth import permissions
from lifeline.auth.models import Organisation, User
from lifeline.auth.service import Principal, require, subtree
from lifeline.errors import Conflict, Invalid, NotFound
from lifeline.incidents import service as incidents
from lifeline.incidents.models import Incident, Report
from lifeline.knowledge.models import Article, DirectAnswer
from lifeline.knowledge.schemas import ArticleIn
from lifeline.knowledge.search import Doc, Hit, Index
from lifeline.store import events
from lifeline.store.base import utcnow
from lifeline.vocabulary import ArticleState, Role

ARTICLES = Path(__file__).parent / "articles.yaml"
HOTLINE_KIND = "centre_12345"
SEARCH_LIMIT = 5

# The published articles' index, per database and per state of the table: (url, count, last change) → Index. An
# edit, a publication or a retirement stamps updated_at, so the key moves and the index is built again (~ms).
_lock = threading.Lock()
_indexes: dict[tuple, Index] = {}


# Articles -------------------------------------------------------------------------------------------------


def _checked(data: ArticleIn) -> dict:
    """The article's fields, with categories known to triage and duplicates dropped."""
    known = taxonomy.default().categories
    unknown = [c for c in data.categories if c not in known]
    if unknown:
        raise Invalid(f"未知研判类别 {unknown} / unknown triage categories {unknown}; see taxonomy default.yaml")
    return {
        "title": data.title.strip(),
        "answer": data.answer.strip(),
        "body": data.body.strip(),
        "items": list(dict.fromkeys(data.items)),
        "categories": list(dict.fromkeys(data.categories)),
        "keywords": list(dict.fromkeys(k.strip() for k in data.keywords if k.strip())),
    }


def _event(session: Session, actor: Principal, kind: str, article: Article) -> None:
    payload = {"id": article.id, "title": article.title, "state": article.state, "version": article.version}
    events.append(session, f"knowledge.{kind}", payload, actor=actor.username)


def create(session: Session, actor: Principal, data: ArticleIn, state: str = ArticleState.DRAFT) -> Article:
    """A new article, a draft until a supervisor publishes it."""
    require(actor, "knowledge.write")
    fields = _checked(data)
    if not fields["title"] or not fields["answer"]:
        raise Invalid("标题和答复口径不能为空 / the title and the answer may not be blank")
    row = Article(**fields, state=state, version=1, updated_by=actor.username, updated_at=utcnow())
    session.add(row)
    session.flush()
    _event(session, actor, "drafted" if state == ArticleState.DRAFT else "published", row)
    return row


def get(session: Session, actor: Principal, article_id: int, *, lock: bool = False) -> Article:
    """An article: published ones for every reader, drafts and retired ones for those who write them."""
    require(actor, "knowledge.read")
    query = select(Article).where(Article.id == article_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None or (row.state != ArticleState.PUBLISHED and not permissions.allowed(actor.role, "knowledge.write")):
        raise NotFound(f"知识库文章 {article_id} 不存在 / knowledge article {article_id} does not exist")
    return row


def listing(session: Session, actor: Principal, state: str | None = None) -> list[Article]:
    """Articles, latest change first; readers who do not write them see the published ones only."""
    require(actor, "knowledge.read")
    if state is not None and state not in ArticleState.labels():
        raise Invalid(f"未知状态 {state!r} / unknown state; allowed: {', '.join(ArticleState)}")
    if not permissions.allowed(actor.role, "knowledge.write"):
        if state not in (None, ArticleState.PUBLISHED):
            return []
        state = ArticleState.PUBLISHED
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if state is not None:
        query = query.where(Article.state == state)
    return list(session.scalars(query))


def update(session: Session, actor: Principal, article_id: int, data: ArticleIn) -> Article:
    """A new version of an article. An operator's edit of a published article goes back to draft, to be published
    again by a supervisor; a supervisor's edit keeps it published."""
    require(actor, "knowledge.write")
    row = get(session, actor, article_id, lock=True)
    fields = _checked(data)
    if not fields["title"] or not fields["answer"]:
        raise Invalid("标题和答复口径不能为空 / the title and the answer may not be blank")
    for name, value in fields.items():
        setattr(row, name, value)
    if row.state == ArticleState.RETIRED or not permissions.allowed(actor.role, "knowledge.publish"):
        row.state = ArticleState.DRAFT
    row.version += 1
    row.updated_by, row.updated_at = actor.username, utcnow()
    _event(session, actor, "edited", row)
    return row


def publish(session: Session, actor: Principal, article_id: int) -> Article:
    require(actor, "knowledge.publish")
    return _move(session, actor, article_id, ArticleState.PUBLISHED, "published")


def retire(session: Session, actor: Principal, article_id: int) -> Article:
    """No longer said at the desk (the rule changed, the service closed); kept, with the answers given from it."""
    require(actor, "knowledge.publish")
    return _move(session, actor, article_id, ArticleState.RETIRED, "retired")


def _move(session: Session, actor: Principal, article_id: int, state: ArticleState, kind: str) -> Article:
    row = get(session, actor, article_id, lock=True)
    if row.state == state:
        raise Conflict(f"文章 {article_id} 已是{state.zh} / article {article_id} is {state.en.lower()} already")
    row.state = state
    row.updated_by, row.updated_at = actor.username, utcnow()
    _event(session, actor, kind, row)
    return row


# Search ---------------------------------------------------------------------------------------------------


def _index(session: Session) -> Index:
    published = select(func.count(), func.max(Article.updated_at)).where(Article.state == ArticleState.PUBLISHED)
    count, changed = session.execute(published).one()
    key = (str(session.get_bind().url), count, changed)
    with _lock:
        if key not in _indexes:
            rows = session.scalars(select(Article).where(Article.state == ArticleState.PUBLISHED))
            docs = [Doc(r.id, r.title, tuple(r.keywords or ()), r.answer, r.body) for r in rows]
            for old in [k for k in _indexes if k[0] == key[0]]:
                del _indexes[old]
            _indexes[key] = Index(docs)
        return _indexes[key]


def search(
    session: Session,
    actor: Principal,
    query: str,
    synonyms: Mapping[str, Iterable[str]] | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[tuple[Article, Hit]]:
    """The published articles that answer `query`, best first, each with why it matched. `synonyms` ({word:
    [synonyms]}) widens the query: the catalogue's synonyms, fed in by whoever holds them."""
    require(actor, "knowledge.read")
    if not query.strip():
        return []
    hits = _index(session).search(query, synonyms, limit)
    rows = {r.id: r for r in session.scalars(select(Article).where(Article.id.in_([h.id for h in hits])))}
    return [(rows[h.id], h) for h in hits if h.id in rows and rows[h.id].state == ArticleState.PUBLISHED]


# Direct answers -------------------------------------------------------------------------------------------


def answerable(session: Session, actor: Principal, article_id: int) -> Article:
    """The article a contact is answered from: published, as the desk reads it."""
    require(actor, "knowledge.answer")
    row = get(session, actor, article_id)
    if row.state != ArticleState.PUBLISHED:
        raise Conflict(
            f"文章 {article_id} 为{ArticleState(row.state).zh}，只能依据已发布的文章答复 / only a published article"
            " can be answered from"
        )
    return row


def _hotline_orgs(session: Session) -> set[int]:
    """The 12345 centres and everything under them."""
    found: set[int] = set()
    for org_id in session.scalars(select(Organisation.id).where(Organisation.kind == HOTLINE_KIND)):
        found |= subtree(session, org_id)
    return found


def _taken_by_hotline():
    """Incidents whose first call a hotline operator took."""
    return (
        select(Report.origin_incident_id)
        .join(User, User.id == Report.taken_by)
        .where(User.role == Role.HOTLINE_OPERATOR)
    )


def _contact(session: Session):
    """SQL: a 12345 contact, received by a 12345 centre or taken by a hotline operator."""
    return or_(Incident.owner_org_id.in_(_hotline_orgs(session)), Incident.id.in_(_taken_by_hotline()))


def is_hotline_contact(session: Session, incident: Incident) -> bool:
    if incident.owner_org_id in _hotline_orgs(session):
        return True
    return session.scalar(_taken_by_hotline().where(Report.origin_incident_id == incident.id).limit(1)) is not None


def record_answer(session: Session, actor: Principal, incident: Incident, article: Article, note: str) -> DirectAnswer:
    """The article a closed contact was answered from, the version read out, and an event on the incident."""
    require(actor, "knowledge.answer")
    row = DirectAnswer(incident_id=incident.id, article_id=article.id, article_version=article.version,
                       by=actor.username, at=utcnow(), note=note.strip())  # fmt: skip
    session.add(row)
    session.flush()
    payload = {"answer": row.id, "article": article.id, "version": article.version, "title": article.title}
    events.append(session, "knowledge.answered", payload, actor=actor.username, incident_id=incident.id)
    return row


def answers_of(session: Session, incident_id: int) -> list[DirectAnswer]:
    return list(session.scalars(select(DirectAnswer).where(DirectAnswer.incident_id == incident_id)))


def figures(session: Session, actor: Principal, since: datetime, until: datetime) -> dict:
    """12345 contacts decided in [since, until) that the actor's part of the tree may read, and how many of them
    were answered directly (`analytics.kpis.direct_answer_rate`)."""
    require(actor, "kpi.read")
    decided = (
        select(Incident.id)
        .where(
            _contact(session),
            incidents.scope(session, actor),
            Incident.confirmed_at >= since,
            Incident.confirmed_at < until,
        )
        .subquery()
    )
    total = session.scalar(select(func.count()).select_from(decided))
    answered = session.scalar(
        select(func.count(func.distinct(DirectAnswer.incident_id))).where(DirectAnswer.incident_id.in_(select(decided)))
    )
    return {"since": since, "until": until, "decided": total, "answered": answered,
            "direct_answer_rate": kpis.direct_answer_rate(answered, total)}  # fmt: skip


# The demo's articles --------------------------------------------------------------------------------------


def load(path: Path | str = ARTICLES) -> list[ArticleIn]:
    """The articles of a YAML file (`articles.yaml`'s shape), checked like an API body."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    found = []
    for n, raw in enumerate(data.get("articles") or [], 1):
        raw = {**raw, "keywords": [str(k) for k in raw.get("keywords") or []]}
        try:
            found.append(ArticleIn.model_validate(raw))
        except ValueError as exc:
            raise Invalid(f"{path} 第 {n} 篇文章有误 / article {n} of {path} is invalid: {exc}") from exc
    return found


def seed(session: Session, actor: Principal, path: Path | str = ARTICLES) -> int:
    """The file's articles, published; one whose title is already in the base is kept as it is. Returns how many
    were added."""
    have = set(session.scalars(select(Article.title)))
    added = 0
    for data in load(path):
        if data.title.strip() not in have:
            create(session, actor, data, state=ArticleState.PUBLISHED)
            added += 1
    return added
