"""The per-app objects every operation needs, built once from the config."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from audible_gateway.config import GatewayConfig
from audible_gateway.retry import RetryPolicy
from audible_gateway.sealing import Sealer
from audible_gateway.upstream import Upstream

EXTENSION = "audible_gateway"


@dataclass(frozen=True)
class Gateway:
    config: GatewayConfig
    sealer: Sealer
    upstream: Upstream
    policy: RetryPolicy

    @classmethod
    def build(cls, config: GatewayConfig) -> Gateway:
        return cls(
            config=config,
            sealer=Sealer(config.encryption_keys),
            upstream=Upstream(config),
            policy=RetryPolicy.from_config(config),
        )


def gateway() -> Gateway:
    return current_app.extensions[EXTENSION]
