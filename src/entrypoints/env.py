"""Typed readers over the process environment that name the variable in every error."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class SettingsError(Exception):
    """One or more environment variables are invalid; every problem names its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class EnvReader:
    """Reads variables, collecting every problem so start-up reports them all at once."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        """The stripped value, or None when unset or blank."""
        value = self._environ.get(name, "").strip()
        return value or None

    def problem(self, name: str, message: str) -> None:
        line = f"{name}: {message}"
        if line not in self.problems:  # a variable checked twice is reported once
            self.problems.append(line)

    def text(self, name: str, default: str) -> str:
        return self.raw(name) or default

    def matching(self, name: str, default: str, pattern: re.Pattern[str], expected: str) -> str:
        """The value when it fully matches ``pattern``; ``expected`` says what would."""
        value = self.raw(name) or default
        if not pattern.fullmatch(value):
            self.problem(name, f"{value!r} is not {expected}")
            return default
        return value

    def directory(self, name: str, default: Path) -> Path:
        """A directory path; it may not exist yet (it is created), but may not be a file."""
        path = Path(self.raw(name) or default)
        if path.exists() and not path.is_dir():
            self.problem(name, f"{str(path)!r} is a file, not a directory")
        return path

    def choice(self, name: str, choices: Iterable[str], default: str) -> str:
        options = tuple(choices)
        value = self.raw(name) or default
        if value not in options:
            self.problem(name, f"{value!r} is not one of {', '.join(options)}")
            return default
        return value

    def number(self, name: str, default: T, parse: Callable[[str], T], minimum: T, maximum: T) -> T:
        value = self.raw(name)
        if value is None:
            return default
        try:
            parsed = parse(value)
        except ValueError:
            self.problem(name, f"{value!r} is not a {parse.__name__}")
            return default
        if not minimum <= parsed <= maximum:  # type: ignore[operator]
            self.problem(name, f"{value} is outside {minimum}..{maximum}")
            return default
        return parsed

    def items(self, name: str, default: str) -> tuple[str, ...]:
        value = self.raw(name) or default
        return tuple(part.strip() for part in value.split(",") if part.strip())

    def pairs(self, name: str, default: str) -> dict[str, str]:
        """``key=value`` pairs separated by commas."""
        result: dict[str, str] = {}
        for part in self.items(name, default):
            key, sep, value = (s.strip() for s in part.partition("="))
            if not sep or not key or not value:
                self.problem(name, f"{part!r} is not a name=configuration pair")
                continue
            result[key] = value
        return result

    def check(self) -> None:
        if self.problems:
            raise SettingsError(self.problems)
