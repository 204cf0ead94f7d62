"""Request bodies for disputes (Stripe's evidence field names)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from payments.disputes.domain import FILE_EVIDENCE, TEXT_EVIDENCE
from payments.platform.http.schemas import Metadata, StrictModel

_TEXT: Any = (Annotated[str | None, Field(max_length=20_000)], None)
_FILE: Any = (Annotated[str | None, Field(max_length=500)], None)

#: Stripe's evidence fields: text, and file references (an uploaded file's id).
DisputeEvidence: type[StrictModel] = create_model(
    "DisputeEvidence",
    __base__=StrictModel,
    **{name: _TEXT for name in TEXT_EVIDENCE},
    **{name: _FILE for name in FILE_EVIDENCE},
)


class DisputeUpdate(StrictModel):
    evidence: DisputeEvidence | None = None
    submit: bool = False
    metadata: Metadata | None = None


class DisputeResolve(StrictModel):
    outcome: Literal["won", "lost"]
