#!/usr/bin/env python3
"""Regenerate the eight placeholder images in sql/uploads/.

insta485's default data names four profile pictures and four post images
(see sql/data.sql).  The course's original photos are not ours to ship, so
each file is a small card of our own: a distinct background colour with the
user's name (profile pictures) or "post N" (post images) drawn on it,
320x320, saved as a baseline JPEG of a few KB.

Usage (from the repository root):

    pip install pillow
    python3 tools/make-uploads.py [OUTPUT_DIR]   # default: sql/uploads

The text uses Pillow's bundled default font, so no system fonts are needed.
Output bytes may differ between Pillow versions; the names never change.
"""

import pathlib
import sys

from PIL import Image, ImageDraw, ImageFont

SIZE = 320

# (file name, caption, background colour), in sql/data.sql order.
CARDS = [
    # Profile pictures.
    ("e1a7c5c32973862ee15173b0259e3efdb6a391af.jpg", "awdeorio", (0x1f, 0x5f, 0xa8)),
    ("505083b8b56c97429a728b68f31b0b2a089e5113.jpg", "jflinn", (0x2e, 0x8b, 0x57)),
    ("5ecde7677b83304132cb2871516ea50032ff7a4f.jpg", "michjc", (0x8e, 0x44, 0xad)),
    ("73ab33bd357c3fd42292487b825880958c595655.jpg", "jag", (0xc0, 0x39, 0x2b)),
    # Post images (postid 1..4).
    ("122a7d27ca1d7420a1072f695d9290fad4501a41.jpg", "post 1", (0xe6, 0x7e, 0x22)),
    ("ad7790405c539894d25ab8dcf0b79eed3341e109.jpg", "post 2", (0x16, 0xa0, 0x85)),
    ("9887e06812ef434d291e4936417d125cd594b38a.jpg", "post 3", (0xd4, 0xac, 0x0d)),
    ("2ec7cf8ae158b3b1f40065abfb33e81143707842.jpg", "post 4", (0x34, 0x49, 0x5e)),
]


def card(caption, colour):
    """Return a SIZE x SIZE RGB image: a framed colour card with a caption."""
    img = Image.new("RGB", (SIZE, SIZE), colour)
    draw = ImageDraw.Draw(img)
    draw.rectangle((12, 12, SIZE - 13, SIZE - 13), outline=(255, 255, 255), width=4)
    font = ImageFont.load_default(size=44)
    small = ImageFont.load_default(size=20)
    draw.text((SIZE / 2, SIZE / 2), caption, fill=(255, 255, 255), font=font, anchor="mm")
    draw.text((SIZE / 2, SIZE - 40), "insta485", fill=(255, 255, 255), font=small, anchor="mm")
    return img


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "sql/uploads")
    out.mkdir(parents=True, exist_ok=True)
    for name, caption, colour in CARDS:
        path = out / name
        card(caption, colour).save(path, "JPEG", quality=85, optimize=True)
        print(f"{path}  {path.stat().st_size} bytes  ({caption})")


if __name__ == "__main__":
    main()
