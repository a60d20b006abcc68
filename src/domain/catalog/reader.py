"""Typed access to one configuration's plain data that records problems instead of failing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from domain.catalog.problems import CatalogProblem


def _show(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


class FieldReader:
    """Reads fields of one configuration, collecting every problem (never only the first)."""

    def __init__(self, source: str, configuration: str | None) -> None:
        self.source = source
        self.configuration = configuration
        self.problems: list[CatalogProblem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(CatalogProblem(self.source, self.configuration, path, message))

    def table(self, data: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        value = data.get(key, {})
        if isinstance(value, Mapping):
            return value
        self.problem(path, f"must be a table, not {_show(value)}")
        return {}

    def known_keys(self, data: Mapping[str, object], allowed: Sequence[str], prefix: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    f"{prefix}{key}", f"unknown field; expected one of {', '.join(allowed)}"
                )

    def boolean(self, data: Mapping[str, object], key: str, path: str) -> bool:
        value = data.get(key, False)
        if isinstance(value, bool):
            return value
        self.problem(path, f"must be true or false, not {_show(value)}")
        return False

    def text(self, data: Mapping[str, object], key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        self.problem(path, f"must be a non-empty string, not {_show(value)}")
        return None

    def url(self, data: Mapping[str, object], key: str, path: str) -> str | None:
        value = self.text(data, key, path)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.problem(path, f"{value!r} is not an absolute http(s) URL")
            return None
        return value

    def choice(
        self, data: Mapping[str, object], key: str, path: str, allowed: Sequence[str], default: str
    ) -> str:
        value = data.get(key, default)
        if isinstance(value, str) and value in allowed:
            return value
        self.problem(path, f"{_show(value)} is not one of {', '.join(allowed)}")
        return default

    def choices(
        self, data: Mapping[str, object], key: str, path: str, allowed: Sequence[str]
    ) -> tuple[str, ...]:
        """A list of distinct values from ``allowed``; every bad element is reported."""
        chosen: list[str] = []
        for index, value in enumerate(self.items(data, key, path)):
            if not isinstance(value, str) or value not in allowed:
                self.problem(
                    f"{path}[{index}]", f"{_show(value)} is not one of {', '.join(allowed)}"
                )
            elif value in chosen:
                self.problem(f"{path}[{index}]", f"{value!r} is listed twice")
            else:
                chosen.append(value)
        return tuple(chosen)

    def items(self, data: Mapping[str, object], key: str, path: str) -> list[object]:
        value = data.get(key, [])
        if isinstance(value, list):
            return value
        self.problem(path, f"must be a list, not {_show(value)}")
        return []
