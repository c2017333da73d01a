#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 7's installer check: builds the .deb from the build folder with cpack, unpacks it into a
# scratch root and runs the CLI from there; checks the desktop entry, icon, MIME file, samples
# and the package's dependencies.   check_deb.sh BUILD_DIR
set -euo pipefail
build="$1"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$build" && cpack -G DEB -B "$scratch/package" >"$scratch/cpack.log" 2>&1) ||
    { cat "$scratch/cpack.log"; exit 1; }
deb="$(ls "$scratch"/package/*.deb)"
echo "package: $(basename "$deb"), $(du -h "$deb" | cut -f1)"
dpkg-deb -x "$deb" "$scratch/root"
version="$("$scratch/root/usr/bin/img2cadseq" --version)"
echo "installed CLI says: $version"
[[ "$version" == img2cadseq\ * ]]
for f in usr/bin/img2cadseq-studio usr/share/applications/img2cadseq-studio.desktop \
    usr/share/icons/hicolor/scalable/apps/img2cadseq-studio.svg \
    usr/share/mime/packages/img2cadseq.xml usr/share/img2cadseq/samples/flanged_bracket.json; do
    [ -e "$scratch/root/$f" ] || { echo "missing in the package: /$f"; exit 1; }
done
grep -q '^Exec=img2cadseq-studio' "$scratch/root/usr/share/applications/img2cadseq-studio.desktop"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "depends: $depends"
for library in libocct libqt6widgets6 libtorch libvtk9; do
    grep -qi "$library" <<<"$depends" || { echo "the package does not depend on $library"; exit 1; }
done
echo "installer check passed"
