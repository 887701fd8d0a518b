"""The road network a deployment runs on: each load is a new version, the latest one is used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lifeline.store.base import Base, UTCDateTime, utcnow


class RoadNetwork(Base):
    __tablename__ = "road_networks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))  # the generator or the imported file
    nodes: Mapped[int] = mapped_column(Integer)
    edges: Mapped[int] = mapped_column(Integer)
    places: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # geo.network.Network.to_bytes()
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PremiseNote(Base):
    """A warning about an address (a dangerous dog, a registered firearm, earlier domestic violence…), shown to the
    dispatcher and the crew of every incident within PREMISE_METRES of it."""

    __tablename__ = "premise_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place: Mapped[str] = mapped_column(String(200))  # the address as the gazetteer names it, or as typed
    lat: Mapped[float] = mapped_column(Float, index=True)
    lon: Mapped[float] = mapped_column(Float)
    hazard: Mapped[str] = mapped_column(String(32))  # vocabulary.Hazard
    note: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # no longer true (the dog is gone)
