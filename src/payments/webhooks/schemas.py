from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from payments.platform.http.schemas import Metadata, StrictModel

EventPattern = Annotated[str, Field(min_length=1, max_length=100)]
EnabledEvents = Annotated[list[EventPattern], Field(min_length=1, max_length=100)]
Url = Annotated[str, Field(min_length=1, max_length=2048)]


class WebhookEndpointCreate(StrictModel):
    url: Url = Field(description="Where to send events: https (http only for allow-listed hosts).")
    enabled_events: EnabledEvents = Field(
        description="Event types to send: exact types, `*`, or wildcards like `customer.*`."
    )
    description: Annotated[str | None, Field(max_length=5000)] = None
    metadata: Metadata = {}


class WebhookEndpointUpdate(StrictModel):
    url: Url | None = None
    enabled_events: EnabledEvents | None = None
    description: Annotated[str | None, Field(max_length=5000)] = None
    metadata: Metadata | None = None
    disabled: bool | None = Field(None, description="Pause (true) or resume (false) deliveries.")


class RotateSecret(StrictModel):
    expires_in_seconds: Annotated[int, Field(ge=0, le=7 * 24 * 3600)] = Field(
        24 * 3600,
        description="How long the current secret(s) keep signing beside the new one (0: stop now).",
    )


class CreatedRange(StrictModel):
    gte: Annotated[int | None, Field(ge=0)] = None
    lte: Annotated[int | None, Field(ge=0)] = None


class ReplayRequest(StrictModel):
    created: CreatedRange | None = Field(None, description="Unix-time bounds on event creation.")
    starting_after: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="Replay events created after this event id."
    )
    limit: Annotated[int, Field(ge=1, le=1000)] = 1000


class RedeliverRequest(StrictModel):
    endpoint: Annotated[str | None, Field(max_length=64)] = Field(
        None, description="Only this webhook endpoint (default: every subscribed endpoint)."
    )


class WebhookEndpointOut(BaseModel):
    id: str
    object: str = "webhook_endpoint"
    url: str
    enabled_events: list[str]
    description: str | None
    metadata: dict[str, str]
    status: str
    location: str | None
    created: int
    livemode: bool
    secret: str | None = Field(None, description="Only in the create and rotate responses.")


class LastResponse(BaseModel):
    status_code: int | None
    latency_ms: int | None
    body: str | None


class DeliveryError(BaseModel):
    code: str
    message: str | None


class WebhookDeliveryOut(BaseModel):
    id: str
    object: str = "webhook_delivery"
    webhook_endpoint: str
    event: str
    event_type: str
    status: str
    attempts: int
    redelivery: bool
    last_response: LastResponse | None
    last_error: DeliveryError | None
    created: int
    last_attempt_at: int | None
    next_attempt_at: int | None


class WebhookReplayOut(BaseModel):
    object: str = "webhook_replay"
    webhook_endpoint: str
    deliveries_created: int
    first_event: str | None
    last_event: str | None
    has_more: bool


class WebhookEndpointList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[WebhookEndpointOut]


class DeletedWebhookEndpointOut(BaseModel):
    id: str
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    deleted: Literal[True] = True


class WebhookDeliveryList(BaseModel):
    object: Literal["list"] = "list"
    url: str
    has_more: bool
    data: list[WebhookDeliveryOut]
