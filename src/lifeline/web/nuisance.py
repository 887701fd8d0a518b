"""骚扰来电 the supervisors' nuisance-caller console (placeholder while the API is built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
