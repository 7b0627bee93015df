#!/usr/bin/env bash
# Re-vendor the YASGUI SPARQL editor (npm package @zazuko/yasgui) into the server's static files.
#
#   scripts/vendor_yasgui.sh [VERSION]      (default: the version recorded in the vendor README)
#
# Uses `npm pack` (the npm registry's own client): the package tarball is downloaded, its built browser
# files (build/yasgui.min.js, build/yasgui.min.css) are copied, and the tarball's SHA-512 integrity is
# recorded. The files are committed so that the editor works offline; nothing is fetched at run time.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/exo_rdf/server/static/vendor/yasgui"
version="${1:-$(sed -n 's/^Version: *//p' "$dest/README.md" 2>/dev/null || true)}"
version="${version:-4.6.2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@zazuko/yasgui@$version" >/dev/null)
tarball="$(ls "$work"/zazuko-yasgui-*.tgz)"
tar -xzf "$tarball" -C "$work"
license="$(node -p "require('$work/package/package.json').license")"
[ "$license" = "MIT" ] || { echo "unexpected licence $license for @zazuko/yasgui $version" >&2; exit 1; }
mkdir -p "$dest"
cp "$work/package/build/yasgui.min.js" "$work/package/build/yasgui.min.css" "$dest/"
# source maps are not vendored: the bundle's last line would make a browser with dev tools ask for them
sed -i '/^\/\/# sourceMappingURL=/d' "$dest/yasgui.min.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$dest/yasgui.min.css"
author="$(node -p "require('$work/package/package.json').author")"
cat > "$dest/LICENSE" <<LICENSE
@zazuko/yasgui $version is distributed under the MIT licence (package.json: "license": "MIT").
Its npm tarball ships no licence file; the standard MIT licence text follows. Copyright holders as
named in the package's package.json: $author (author), Zazuko GmbH (contributor).

MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the
following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial
portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO
EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR
THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENSE
integrity="$(npm view "@zazuko/yasgui@$version" dist.integrity)"
cat > "$dest/README.md" <<README
# YASGUI (vendored)

The SPARQL query editor served at \`/sparql\` to browsers.

Package: @zazuko/yasgui (npm registry), https://github.com/rdfjs/Yasgui
Version: $version
Licence: MIT (see LICENSE; the package's package.json declares "license": "MIT")
Tarball integrity: $integrity
Files: build/yasgui.min.js, build/yasgui.min.css from the package tarball (source-map comments removed)

Obtained with \`scripts/vendor_yasgui.sh $version\`, which runs \`npm pack @zazuko/yasgui@$version\` and copies
the built files here. They are committed so that the editor works offline: the server never loads anything
from a CDN, and the page configures YASGUI so that it contacts no host but the one serving it (no
endpoint catalogue, no LOV or prefix.cc autocompletion).
README
echo "vendored @zazuko/yasgui $version into $dest"
