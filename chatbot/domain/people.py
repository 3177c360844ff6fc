"""People who use the bot: a person belongs to one unit and holds one or more roles."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.domain.roles import Permission, Role, can
from chatbot.domain.units import Unit
from chatbot.domain.workflow import Actor


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    unit: Unit
    roles: frozenset[Role]
    telegram_user_id: int | None = None
    telegram_chat_id: int | None = None
    whatsapp_id: str | None = None
    active: bool = True
    blocked: bool = False  # the person blocked the bot; nothing is sent until they write again

    def may(self, permission: Permission) -> bool:
        return can(self.roles, permission)

    def actor(self) -> Actor:
        return Actor(person_id=self.id, unit_code=self.unit.code, roles=self.roles)
