"""The amount a téléservice's rules propose, with its reasoning (shown to the agent)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Amount:
    """``value`` None: not eligible (the reasoning says why). ``reasoning``: one line per step,
    in French, ending with the proposed amount when eligible."""

    value: Decimal | None
    reasoning: list[str]

    @property
    def eligible(self) -> bool:
        return self.value is not None
