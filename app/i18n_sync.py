"""`make messages` helper: English msgstr = msgid (our msgids are English); report Danish gaps."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po

from app.i18n import catalog_path


def main() -> int:
    for lang in ("en", "da"):
        path = catalog_path(lang)
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang)
        missing = []
        for message in catalog:
            if not message.id:
                continue
            if lang == "en":
                message.string = message.id
                message.flags.discard("fuzzy")
            elif not message.string or message.fuzzy:
                missing.append(message.id)
        with path.open("wb") as po:
            write_po(po, catalog, no_location=True, width=100)
        for message_id in missing:
            print(f"{lang}: translate {message_id!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
