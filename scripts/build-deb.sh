#!/usr/bin/env bash
# Builds the Debian package dist/mappa_<version>_<arch>.deb with Debian's own tools (what `make deb` runs).
#   The version is the one line of VERSION; the binary reports it as BuildInfo.version (Sources/WebApp/App/
#   AppMetrics.swift), and this script refuses to build when the two differ.
#   The binary is a release build with the Swift runtime linked in (--static-swift-stdlib) and no run path, so it
#   needs only Debian's libraries; which ones, and from which versions, dpkg-shlibdeps works out from the binary.
#   The files it installs are in packaging/deb/ (unit files, configuration, maintainer scripts, manual page).
# Prints the path of the package on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

version=$(tr -d '[:space:]' <VERSION)
if [[ ! $version =~ ^[0-9]+(\.[0-9]+)*([~+][A-Za-z0-9.+~]+)?$ ]]; then
    echo "VERSION holds '$version', which is not a Debian version for a native package (digits and dots)" >&2
    exit 1
fi
swift_version=$(sed -n 's/.*static let version = "\(.*\)".*/\1/p' Sources/WebApp/App/AppMetrics.swift)
if [[ $swift_version != "$version" ]]; then
    echo "VERSION says $version but BuildInfo.version in Sources/WebApp/App/AppMetrics.swift says $swift_version: make them agree" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Reproducible: every date in the package is the last commit's (or now, outside git).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

echo "== building mappa $version (release, Swift runtime linked in)" >&2
swift build -c release --product mappa --static-swift-stdlib --disable-local-rpath 2>&1 \
    | grep -Ev '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking|Applying)|prohibited flag|the use of .mktemp' >&2 || true
binary="$(swift build -c release --show-bin-path)/mappa"
swift build -c release --product mappa --static-swift-stdlib --disable-local-rpath >/dev/null  # fail here if it failed
if objdump -p "$binary" | grep -Eq 'NEEDED +libswift|R(UN)?PATH'; then
    echo "$binary still needs the Swift runtime's shared libraries or a run path; not packaging it" >&2
    exit 1
fi

# The layout debhelper uses (debian/control, debian/<package>/), so that dpkg-shlibdeps finds what it expects.
build=$(mktemp -d /tmp/mappa-deb.XXXXXX)
trap 'rm -rf "$build"' EXIT
root="$build/debian/mappa"
files=packaging/deb
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/etc/mappa" "$root/lib/systemd/system" \
    "$root/usr/share/mappa" "$root/usr/share/man/man1" "$root/usr/share/doc/mappa"
install -m 0755 "$binary" "$root/usr/bin/mappa"
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/mappa"
install -m 0644 "$files/mappa.conf" "$root/etc/mappa/mappa.conf"
install -m 0644 "$files/secrets.env" "$root/usr/share/mappa/secrets.env"      # postinst copies it to /etc/mappa, 0600
install -m 0644 "$files/mappa.service" "$files/mappa-backup.service" "$files/mappa-backup.timer" "$root/lib/systemd/system/"
gzip -9n <"$files/mappa.1" >"$root/usr/share/man/man1/mappa.1.gz"
install -m 0644 "$files/copyright" "$root/usr/share/doc/mappa/copyright"
sed -e "s/@VERSION@/$version/g" -e "s/@COMMIT@/$commit/g" -e "s/@DATE@/$(date -R -u -d "@$SOURCE_DATE_EPOCH")/g" \
    "$files/changelog.in" | gzip -9n >"$root/usr/share/doc/mappa/changelog.gz"
if [[ -s "$files/lintian-overrides" ]]; then
    install -d -m 0755 "$root/usr/share/lintian/overrides"
    install -m 0644 "$files/lintian-overrides" "$root/usr/share/lintian/overrides/mappa"
fi
install -m 0755 "$files/postinst" "$files/prerm" "$files/postrm" "$root/DEBIAN/"
printf '/etc/mappa/mappa.conf\n' >"$root/DEBIAN/conffiles"

printf 'Source: mappa\n\nPackage: mappa\nArchitecture: %s\n' "$arch" >"$build/debian/control"
# (It warns that "binaries to analyze should already be installed in their package's directory" even in this layout;
# the warning changes nothing in what it finds.)
shlibs=$(cd "$build" && dpkg-shlibdeps -O --warnings=1 -e debian/mappa/usr/bin/mappa | sed -n 's/^shlibs:Depends=//p')
[[ -n $shlibs ]] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --apparent-size --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@SHLIBS_DEPENDS@/$shlibs/" \
    "$files/control.in" >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -depth -newermt "@$SOURCE_DATE_EPOCH" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

mkdir -p dist
package="dist/mappa_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" >&2
echo "$package"
