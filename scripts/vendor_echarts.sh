#!/bin/sh
# Vendor ECharts (Apache-2.0) from its npm package at a pinned version, checked against a
# pinned SHA-256 of the tarball, into govhall/static/vendor/echarts/ (no CDN at run time).
# Run from the repository root: sh scripts/vendor_echarts.sh
set -eu
VERSION=5.5.1
SHA256=1f0eae29c406496a77789a7d7f56b811cae034ac95c0b3808215998f4ba0fbf3
URL="https://registry.npmjs.org/echarts/-/echarts-${VERSION}.tgz"
DEST=govhall/static/vendor/echarts
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
curl -fsSL "$URL" -o "$TMP/echarts.tgz"
echo "${SHA256}  $TMP/echarts.tgz" | sha256sum -c -
tar -xzf "$TMP/echarts.tgz" -C "$TMP" package/dist/echarts.min.js package/LICENSE package/NOTICE
mkdir -p "$DEST"
cp "$TMP/package/dist/echarts.min.js" "$DEST/echarts-${VERSION}.min.js"
cp "$TMP/package/LICENSE" "$DEST/LICENSE"
cp "$TMP/package/NOTICE" "$DEST/NOTICE"
echo "echarts ${VERSION} -> $DEST"
