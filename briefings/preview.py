"""Preview: the briefing as each recipient would get it, written to files instead of sent (no ledger)."""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

from access.policy import Scope
from briefings.config import ConfigError, load
from briefings.content import Briefing, load_briefing
from briefings.render import Rendered, render, to_message
from safelake.settings import Settings


def inline_images(rendered: Rendered) -> str:
    """The HTML with its cid: images as data: URIs, for a browser (screenshots, previews)."""
    import base64

    html = rendered.html
    for cid, png in rendered.images.items():
        html = html.replace(f"cid:{cid}", "data:image/png;base64," + base64.b64encode(png).decode())
    return html


def preview(settings: Settings, briefing: str, out: Path, to: list[str] | None = None) -> list[tuple[Path, Path]]:
    loaded = load(settings)
    if briefing not in loaded.config.schedules:
        raise ConfigError(f"{loaded.path}: no briefing {briefing!r}; known: {', '.join(loaded.config.schedules)}")
    recipients = loaded.config.recipients_of(briefing, to)
    if not recipients:
        raise ConfigError(
            f"{loaded.path}: nobody receives the {briefing} briefing{' at ' + ', '.join(to) if to else ''}"
        )
    tz = ZoneInfo(settings.timezone)
    out.mkdir(parents=True, exist_ok=True)
    contents: dict[Scope, Briefing] = {}
    written = []
    for r in recipients:
        if r.scope not in contents:
            contents[r.scope] = load_briefing(settings, briefing, r.scope)
        rendered = render(contents[r.scope], r, tz)
        stem = out / f"{briefing}-{re.sub(r'[^A-Za-z0-9]+', '-', r.address).strip('-').lower()}"
        html, eml = stem.with_suffix(".html"), stem.with_suffix(".eml")
        html.write_text(inline_images(rendered), encoding="utf-8")
        eml.write_bytes(to_message(settings, rendered, r.address).as_bytes())
        written.append((html, eml))
    return written


def screenshot(rendered: Rendered, path: Path, chromium: str = "/usr/bin/chromium") -> int:
    """The HTML as Debian chromium shows it, full page, to `path`; returns how many images loaded."""
    from playwright.sync_api import sync_playwright

    path.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 760, "height": 1000})
            page.set_content(inline_images(rendered), wait_until="load")
            loaded = page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length")
            page.screenshot(path=str(path), full_page=True)
        finally:
            browser.close()
    return loaded


def main() -> None:
    """`python -m briefings.preview SHOT.png [ADDRESS] [BRIEFING]`: screenshot one recipient's briefing."""
    import sys

    from safelake.settings import get_settings

    settings = get_settings()
    shot = Path(sys.argv[1])
    address = sys.argv[2] if len(sys.argv) > 2 else None
    briefing = sys.argv[3] if len(sys.argv) > 3 else "daily"
    loaded = load(settings)
    [recipient, *_] = loaded.config.recipients_of(briefing, [address] if address else None)
    content = load_briefing(settings, briefing, recipient.scope)
    images = screenshot(render(content, recipient, ZoneInfo(settings.timezone)), shot)
    print(f"wrote {shot} ({recipient.address}, {briefing}, {images} images)")


if __name__ == "__main__":
    main()
