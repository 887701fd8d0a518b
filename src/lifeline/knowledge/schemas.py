"""Request and response shapes of the 12345 knowledge base and its direct answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lifeline.api.schemas import Strict, Text

ItemCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
Category = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]
Keyword = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ArticleIn(Strict):
    title: Annotated[Text, Field(min_length=1, max_length=200, description="标题 title")]
    answer: Annotated[Text, Field(min_length=1, max_length=5000, description="答复口径：话务员照读的话")]
    body: Annotated[Text, Field(max_length=20000, description="依据与细节 the rules and details")] = ""
    items: list[ItemCode] = Field(default_factory=list, max_length=20, description="诉求事项编码 catalogue items")
    categories: list[Category] = Field(default_factory=list, max_length=10, description="研判类别 categories")
    keywords: list[Keyword] = Field(default_factory=list, max_length=30, description="来电人常说的词 callers' words")


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    answer: str
    body: str
    items: list[str]
    categories: list[str]
    keywords: list[str]
    state: str
    version: int
    updated_by: str
    updated_at: datetime


class ArticleList(BaseModel):
    items: list[ArticleOut]


class Found(BaseModel):
    article: ArticleOut
    score: float
    why: list[str] = Field(description="匹配的关键词、同义词与查询片段 the words that matched")


class SearchOut(BaseModel):
    query: str
    items: list[Found]


class AnswerIn(Strict):
    article_id: Annotated[int, Field(ge=1, le=2**31 - 1, description="所依据的知识库文章 the article answered from")]
    note: Annotated[Text, Field(max_length=2000, description="备注 what else was said")] = ""


class AnswerOut(BaseModel):
    id: int
    incident_id: int
    incident_state: str
    article_id: int
    article_version: int
    by: str
    at: datetime
    note: str
    said: str


class FiguresOut(BaseModel):
    since: datetime
    until: datetime
    decided: int = Field(description="窗口内确认（作出决定）的 12345 来电 12345 contacts decided in the window")
    answered: int = Field(description="其中直接答复结案的 of which answered directly")
    direct_answer_rate: float | None
    formula: str
