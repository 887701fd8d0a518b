"""Request and response shapes of publishing a work order on the Open311 list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, model_validator

from lifeline.api.schemas import Strict, Text
from lifeline.open311.models import PublicAnswer


class PublicationIn(Strict):
    public: bool = Field(True, description="公开（true）或撤回（false）/ show on the public list, or take it off")
    answer: Annotated[Text, Field(max_length=2000)] | None = Field(
        None,
        description="对公众的答复（公开时必填；不得含来电人的话、姓名或内部备注）/ the answer to the public, required"
        " to publish; never the caller's words, names or internal notes",
    )

    @model_validator(mode="after")
    def _answered(self):
        if self.public and not (self.answer or "").strip():
            raise ValueError("公开须填写对公众的答复 / publishing needs the answer to the public (answer)")
        return self


class PublicationOut(BaseModel):
    order_id: int
    public: bool
    answer: str | None
    published_by: str | None
    published_at: datetime | None

    @classmethod
    def of(cls, order_id: int, row: PublicAnswer | None) -> PublicationOut:
        if row is None:
            return cls(order_id=order_id, public=False, answer=None, published_by=None, published_at=None)
        return cls(
            order_id=order_id,
            public=True,
            answer=row.answer,
            published_by=row.published_by,
            published_at=row.published_at,
        )
