"""HTTP routes of the 12345 knowledge base: search, articles, direct answers and the direct-answer rate."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from lifeline.analytics import kpis
from lifeline.analytics.service import today
from lifeline.api.context import IdempotencyKey, RequestContext
from lifeline.api.problems import RESPONSES
from lifeline.api.schemas import Id, IncidentId, query_time
from lifeline.catalogue import service as catalogue
from lifeline.desk import flows
from lifeline.errors import Invalid
from lifeline.knowledge import service
from lifeline.knowledge.schemas import (
    AnswerIn,
    AnswerOut,
    ArticleIn,
    ArticleList,
    ArticleOut,
    FiguresOut,
    Found,
    SearchOut,
)
from lifeline.store.base import utcnow

router = APIRouter(responses=RESPONSES, tags=["12345 knowledge base"])
LONGEST = timedelta(days=400)


@router.get("/knowledge", response_model=SearchOut, summary="知识库检索 search the knowledge base")
def search(
    ctx: RequestContext,
    q: Annotated[str, Query(max_length=500, description="来电人的话或关键词 the caller's words")] = "",
    limit: Annotated[int, Query(ge=1, le=20)] = service.SEARCH_LIMIT,
):
    with ctx.request.app.state.readers() as session:
        who = ctx.principal(session)
        found = service.search(session, who, q, catalogue.synonyms(session), limit)
        items = [Found(article=ArticleOut.model_validate(a), score=h.score, why=list(h.why)) for a, h in found]
        return SearchOut(query=q, items=items)


@router.get("/knowledge/articles", response_model=ArticleList, summary="知识库文章 the articles")
def articles(ctx: RequestContext, state: Annotated[str | None, Query(max_length=16)] = None):
    with ctx.request.app.state.readers() as session:
        rows = service.listing(session, ctx.principal(session), state)
        return ArticleList(items=[ArticleOut.model_validate(r) for r in rows])


@router.post("/knowledge/articles", status_code=201, response_model=ArticleOut, summary="撰写文章（草稿）")
def create(body: ArticleIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: ArticleOut.model_validate(service.create(s, who, body)), status=201, key=key,
                   body=body)  # fmt: skip


@router.get("/knowledge/articles/{article_id}", response_model=ArticleOut, summary="一篇文章 one article")
def article(article_id: Id, ctx: RequestContext):
    with ctx.request.app.state.readers() as session:
        return ArticleOut.model_validate(service.get(session, ctx.principal(session), article_id))


@router.put("/knowledge/articles/{article_id}", response_model=ArticleOut, summary="修改文章（新版本）")
def update(article_id: Id, body: ArticleIn, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: ArticleOut.model_validate(service.update(s, who, article_id, body)), key=key,
                   body=body)  # fmt: skip


@router.post("/knowledge/articles/{article_id}/publish", response_model=ArticleOut, summary="发布 publish")
def publish(article_id: Id, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: ArticleOut.model_validate(service.publish(s, who, article_id)), key=key)


@router.post("/knowledge/articles/{article_id}/retire", response_model=ArticleOut, summary="停用 retire")
def retire(article_id: Id, ctx: RequestContext, key: IdempotencyKey = None):
    return ctx.run(lambda s, who: ArticleOut.model_validate(service.retire(s, who, article_id)), key=key)


@router.post("/incidents/{incident_id}/answer", response_model=AnswerOut, summary="直接答复结案 answered directly")
def answer(incident_id: IncidentId, body: AnswerIn, ctx: RequestContext, key: IdempotencyKey = None):
    def work(session, who):
        outcome = flows.answer_directly(
            session, who, ctx.request.app.state.desk, incident_id, body.article_id, body.note
        )
        row = outcome.answer
        return AnswerOut(
            id=row.id, incident_id=row.incident_id, incident_state=outcome.incident.state, article_id=row.article_id,
            article_version=row.article_version, by=row.by, at=row.at, note=row.note, said=outcome.summary(),
        )  # fmt: skip

    return ctx.run(work, key=key, body=body)


@router.get("/knowledge/figures", response_model=FiguresOut, summary="直接答复率 the direct-answer rate")
def figures(
    ctx: RequestContext,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认今日零点（UTC+8）")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 时间，默认现在 default now")] = None,
):
    now = utcnow()
    start = query_time(since, "since") or today(now)[0]
    end = query_time(until, "until") or now
    if end <= start:
        raise Invalid("until 须晚于 since / until must be later than since")
    if end - start > LONGEST:
        raise Invalid(f"时间窗口最长 {LONGEST.days} 天 / the window is at most {LONGEST.days} days")
    with ctx.request.app.state.readers() as session:
        found = service.figures(session, ctx.principal(session), start, end)
    formula = kpis.Kpi("direct_answer_rate", "直接答复率", "Direct answers", kpis.direct_answer_rate).formula
    return FiguresOut(**found, formula=formula)
