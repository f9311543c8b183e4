#!/usr/bin/env bash
# Renders the application icon (resources/icons/dust-browser.svg, also the window's icon) into
# the PNG sizes of the hicolor theme under resources/icons/hicolor/. Run it after changing the
# SVG and commit the PNGs: the build does not render them, so it needs no SVG rasteriser.
# Also the Windows icon (resources/icons/dust-browser.ico, all sizes in one file) from those
# PNGs. Needs rsvg-convert (Debian librsvg2-bin), ImageMagick's convert, optipng if present.
# (macOS's .icns is made from the PNGs at build time by iconutil: installer/macos.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
svg=resources/icons/dust-browser.svg
for size in 16 22 24 32 48 64 128 256; do
    out=resources/icons/hicolor/${size}x${size}/apps/io.dust.DustBrowser.png
    mkdir -p "$(dirname "$out")"
    rsvg-convert --width "$size" --height "$size" "$svg" --output "$out"
    if command -v optipng >/dev/null 2>&1; then optipng -quiet -o7 -strip all "$out"; fi
    echo "$out"
done
pngs=()
for size in 16 24 32 48 64 128 256; do
    pngs+=(resources/icons/hicolor/${size}x${size}/apps/io.dust.DustBrowser.png)
done
convert "${pngs[@]}" resources/icons/dust-browser.ico
echo resources/icons/dust-browser.ico
