"""The registry's configuration, read once when its app is built, from ``JIANGONG_*`` settings.

| setting | default | what |
|---|---|---|
| ``JIANGONG_IMPORT_BACKGROUND_ROWS`` | 5000 | a file of more rows is imported in the background |
| ``JIANGONG_IMPORT_CHUNK_ROWS`` | 1000 | the rows an import writes in one transaction |
| ``JIANGONG_IMPORT_STALLED_SECONDS`` | 600 | a background import this long without progress fails |

A setting that cannot be used stops the app from starting, naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.settings import whole_number_setting


@dataclass(frozen=True)
class RegistryConfig:
    import_background_rows: int = 5000
    import_chunk_rows: int = 1000
    import_stalled_seconds: int = 600

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> RegistryConfig:
        def number(name: str, default: int) -> int:
            return whole_number_setting(settings, f"JIANGONG_IMPORT_{name}", default)

        return cls(
            import_background_rows=number("BACKGROUND_ROWS", cls.import_background_rows),
            import_chunk_rows=number("CHUNK_ROWS", cls.import_chunk_rows),
            import_stalled_seconds=number("STALLED_SECONDS", cls.import_stalled_seconds),
        )
