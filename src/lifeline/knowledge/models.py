"""The 12345 knowledge base: articles the operator answers from, and the contacts answered directly from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, JSONText, UTCDateTime, utcnow


class Article(Base):
    """One answer 12345 gives at once: drafted by an operator, published (and retired) by a supervisor. Each edit
    is a new version; only published articles are searched at the desk."""

    __tablename__ = "knowledge_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # the rules and details, for the operator
    answer: Mapped[str] = mapped_column(Text)  # the words the operator says to the caller
    items: Mapped[list] = mapped_column(JSONText, default=list)  # catalogue item codes (strings)
    categories: Mapped[list] = mapped_column(JSONText, default=list)  # triage category codes
    keywords: Mapped[list] = mapped_column(JSONText, default=list)  # words callers use for it
    state: Mapped[str] = mapped_column(String(16), index=True)  # vocabulary.ArticleState
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DirectAnswer(Base):
    """A 12345 contact closed as answered directly (直接答复) from an article: no work order was raised."""

    __tablename__ = "direct_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id"), index=True)
    article_version: Mapped[int] = mapped_column(Integer)  # the version read out
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
