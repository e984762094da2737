"""The website widget's size as a browser downloads it: one file, minified, and gzipped.

Reads the bundle `make webchat` builds (webchat/dist/widget.js) and esbuild's metafile beside it,
which says how much of the bundle is the widget's own code and how much is socket.io-client.
Usage: .venv/bin/python bench/widget_size.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent / "webchat" / "dist"
BUNDLE = DIST / "widget.js"
METAFILE = DIST / "meta.json"


def main() -> None:
    if not BUNDLE.exists():
        sys.exit(f"{BUNDLE} is not built: run `make webchat` first.")
    minified = BUNDLE.read_bytes()
    inputs = json.loads(METAFILE.read_text())["outputs"]["dist/widget.js"]["inputs"]
    own = sum(part["bytesInOutput"] for path, part in inputs.items() if path.startswith("src/"))
    library = sum(part["bytesInOutput"] for path, part in inputs.items() if path.startswith("node_modules/"))

    print("Chat widget (webchat/dist/widget.js)")
    print(f"  minified          {len(minified):7,d} bytes")
    print(f"  minified+gzipped  {len(gzip.compress(minified, compresslevel=9)):7,d} bytes")
    print(f"  of which the widget's own code {own:,d} bytes, socket.io-client {library:,d} bytes (minified)")


if __name__ == "__main__":
    main()
