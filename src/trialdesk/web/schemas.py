"""The JSON shapes every room of the API shares: the error body and row ids in paths.
Each room's own request and response models sit beside its routes (rooms/*/schemas.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict

from trialdesk.trial.store.models import MAX_ROW_ID

__all__ = ["ErrorBody", "ErrorDetail", "FieldMessage", "RowId", "Strict"]


class Strict(BaseModel):
    """A request body: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class FieldMessage(BaseModel):
    field: str | None
    message: str


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None
    errors: list[FieldMessage] | None = None  # every wrong field of a form, when several


class ErrorBody(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorDetail


# Row ids in paths: positive and within PostgreSQL's INTEGER, which every store holds (a
# larger number would be refused by the database before it could be "not found").
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
