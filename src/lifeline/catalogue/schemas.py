"""Request and response shapes of the catalogue: its items, its versions, proposals and decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from lifeline import taxonomy
from lifeline.api.schemas import Strict, Text
from lifeline.catalogue.items import LIMITS, RULES, Item
from lifeline.catalogue.match import Suggestion
from lifeline.catalogue.models import STATES, CatalogueVersion


class OwnerOut(BaseModel):
    code: str
    zh: str
    en: str


class ItemOut(BaseModel):
    code: str
    name: str
    en: str
    synonyms: list[str]
    category: str
    owner: list[str] = Field(description="承办方编码，主办在前 / owner codes, the lead first")
    owners: list[OwnerOut] = Field(description="承办方名称 / the owners' names")
    rule: str
    rule_zh: str
    limit: str
    limit_zh: str
    say: str = Field(description="告知来电人的话术 / what the call-taker says")
    say_en: str

    @classmethod
    def of(cls, item: Item, names: dict[str, str] | None = None) -> ItemOut:
        """`names`: destination → the local organisation that serves it, when the caller knows them."""
        labels = taxonomy.default().destinations
        owners = []
        for code in item.owner:
            label = labels.get(code)
            zh = (names or {}).get(code) or (label.zh if label else code)
            owners.append(OwnerOut(code=code, zh=zh, en=label.en if label else code))
        return cls(**item.to_data(), owners=owners, rule_zh=RULES[item.rule][0], limit_zh=LIMITS[item.limit][0])


class SuggestedItem(ItemOut):
    """The item triage's category and the caller's words point to."""

    matched: str | None = Field(description="匹配到的群众说法；空为类别默认事项 / the word that matched; null: default")
    score: float
    version: int = Field(description="所用清单版本 / the catalogue version")

    @classmethod
    def suggested(cls, version: int, found: Suggestion | None, names=None) -> SuggestedItem | None:
        if found is None:
            return None
        base = ItemOut.of(found.item, names).model_dump()
        return cls(**base, matched=found.synonym, score=found.score, version=version)


class CatalogueOut(BaseModel):
    version: int
    sha256: str
    name: str
    items: list[ItemOut]


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    name: str
    items: int
    sha256: str
    state: str
    state_zh: str = ""
    source: str
    proposed_side: str
    proposed_by: str
    proposed_org: str | None
    proposed_at: datetime
    approved_by: str | None
    approved_org: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    note: str
    changes: dict[str, Any] | None = Field(None, description="与现行版本相比 / compared with the version in force")

    @classmethod
    def of(cls, row: CatalogueVersion, changes: dict | None = None) -> VersionOut:
        out = cls.model_validate(row)
        return out.model_copy(update={"state_zh": STATES.get(row.state, row.state), "changes": changes})


class VersionList(BaseModel):
    current: int
    sha256: str
    items: list[VersionOut]


class ProposalIn(Strict):
    document: dict[str, Any] = Field(description="整份清单（格式见 catalogue-schema）/ the whole catalogue document")
    note: Annotated[Text, Field(max_length=2000, description="变更理由 why")] = ""


class ApproveIn(Strict):
    note: Annotated[Text, Field(max_length=2000)] = ""


class RejectIn(Strict):
    reason: Annotated[Text, Field(min_length=1, max_length=2000, description="驳回理由 why")]


class ItemCount(BaseModel):
    item: str
    name: str
    matters: int = Field(description="受理的诉求 matters received")
    diverted: int = Field(description="其中分流的 of them diverted")
    orders: int = Field(description="派发的工单 work orders raised")


class ItemFigures(BaseModel):
    since: datetime
    until: datetime
    items: list[ItemCount]
