"""A journal of what the billing page showed, kept in Python while the page lives and dies.

Some states last a moment: the sentence and the busy button before the page leaves for the
portal (about a second), the sync banner while the mirror catches up. A MutationObserver
installed in every document reports each change through a binding, so a test can check
them after the fact, without racing the navigation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext

BINDING = "__e2eJournal"

RECORDER = """
(() => {
  const last = {};
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const visibleText = (element) =>
    element && !element.hidden ? element.textContent.trim().replace(/\\s+/g, " ") : "";
  const record = () => {
    if (typeof window.__BINDING__ !== "function") return;
    const banner = byTestId("sync-banner");
    const seen = {
      status: visibleText(byTestId("status-message")),
      banner: banner && !banner.hidden
        ? `${banner.dataset.state}: ${visibleText(byTestId("sync-banner-text"))}` : "",
      busy: [...document.querySelectorAll('[aria-busy="true"]')]
        .map((e) => `${e.dataset.testid}${e.disabled ? " disabled" : ""}`).join(", "),
    };
    for (const [kind, value] of Object.entries(seen)) {
      if (last[kind] === value) continue;
      last[kind] = value;
      if (value) window.__BINDING__({ kind, value, path: location.pathname });
    }
  };
  new MutationObserver(record).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
})();
""".replace("__BINDING__", BINDING)


@dataclass(frozen=True)
class Entry:
    kind: str  # "status" | "banner" | "busy"
    value: str
    path: str


@dataclass
class Journal:
    entries: list[Entry] = field(default_factory=list)

    @classmethod
    def install(cls, context: BrowserContext) -> Journal:
        journal = cls()

        def record(source: object, entry: dict[str, str]) -> None:
            journal.entries.append(Entry(entry["kind"], entry["value"], entry["path"]))

        context.expose_binding(BINDING, record)
        context.add_init_script(RECORDER)
        return journal

    def mark(self) -> int:
        return len(self.entries)

    def since(self, mark: int, kind: str) -> list[str]:
        return [e.value for e in self.entries[mark:] if e.kind == kind]
