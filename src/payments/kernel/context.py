"""What a use case knows about the request that called it."""

from __future__ import annotations

from dataclasses import dataclass

from payments.kernel.access import Permission, Principal, Role
from payments.kernel.errors import NotFound, PermissionDenied


@dataclass(frozen=True, slots=True)
class RequestContext:
    principal: Principal
    request_id: str | None = None
    idempotency_key: str | None = None
    ip: str | None = None

    def require(self, permission: Permission) -> None:
        if not self.principal.can(permission):
            raise PermissionDenied(
                f"The API key's role '{self.principal.role}' does not allow this request "
                f"({permission.value}).",
                code="insufficient_permissions",
            )

    def check_location(self, object_name: str, object_id: str, location_id: str | None) -> None:
        """A location-restricted key sees another shop's object as missing."""
        if not self.principal.sees_location(location_id):
            raise NotFound.of(object_name, object_id)

    def list_location(self, requested: str | None) -> str | None:
        """The shop a list is limited to: the one asked for (``location=``), and for a key
        restricted to a shop always its own; naming another shop is a 404, as retrieving
        that shop would be (never an empty list that looks like "no payments")."""
        own = self.principal.location_id
        if requested is None or requested == own:
            return own
        if own is not None:
            raise NotFound.of("location", requested, param="location")
        return requested


SYSTEM = RequestContext(principal=Principal(api_key_id="system", name="system", role=Role.admin))
