#!/usr/bin/env bash
# Builds the installers from binaries already built:
#   packaging/build.sh BIN_DIR OUT_DIR
# BIN_DIR holds `appcare-desktop` and `appcare` (e.g. target/release); OUT_DIR receives
#   appcare-inbox_VERSION_ARCH.deb     the desktop app: /usr/bin/appcare-inbox, its desktop
#                                      entry and icons; dependencies found by dpkg-shlibdeps
#   appcare-inbox-VERSION-1.ARCH.rpm   the same for RPM systems (when rpmbuild is there)
#   appcare-hub_VERSION_ARCH.deb       the hub: /usr/bin/appcare, appcare-hub.service, its
#                                      settings in /etc/default/appcare-hub, a system user,
#                                      `appcare doctor` after install
# `./dev package` builds the release binaries and calls this. PACKAGE_FAST=1 compresses
# lightly (the tests: same files, quicker to make).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
BIN_DIR="$(cd "$1" && pwd)"
OUT_DIR="$(mkdir -p "$2" && cd "$2" && pwd)"
VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml")"
DEB_ARCH="$(dpkg --print-architecture)"
RPM_ARCH="$(uname -m)"
MAINTAINER="Appcare <support@appcare.example>"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Dependencies of the binaries in a package tree, as dpkg-shlibdeps finds them.
shlib_depends() {
  local tree="$1"; shift
  mkdir -p "$WORK/shlibs/debian"
  printf 'Source: appcare\n\nPackage: appcare\nArchitecture: any\n' > "$WORK/shlibs/debian/control"
  (cd "$WORK/shlibs" && dpkg-shlibdeps -O "${@/#/$tree/}" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# Common Debian package files: docs, checksums, control, then the .deb itself.
finish_deb() {
  local tree="$1" name="$2" depends="$3" recommends="$4" description="$5"
  install -d "$tree/usr/share/doc/$name"
  install -m 0644 "$HERE/copyright" "$tree/usr/share/doc/$name/copyright"
  printf '%s (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
    "$name" "$VERSION" "$VERSION" "$MAINTAINER" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" \
    | gzip -9n > "$tree/usr/share/doc/$name/changelog.gz"
  local size
  size="$(du -sk --exclude=DEBIAN "$tree" | cut -f1)"
  install -d "$tree/DEBIAN"
  (cd "$tree" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$tree/DEBIAN/md5sums"
  {
    echo "Package: $name"
    echo "Version: $VERSION"
    echo "Architecture: $DEB_ARCH"
    echo "Maintainer: $MAINTAINER"
    echo "Installed-Size: $size"
    echo "Depends: $depends"
    if [ -n "$recommends" ]; then echo "Recommends: $recommends"; fi
    echo "Section: misc"
    echo "Priority: optional"
    echo "Homepage: https://appcare.example/inbox"
    printf 'Description: %s\n' "$description"
  } > "$tree/DEBIAN/control"
  find "$tree" -type d -exec chmod 0755 {} +
  local compress=(-Zxz)
  if [ -n "${PACKAGE_FAST:-}" ]; then compress=(-Zgzip -z1); fi
  dpkg-deb --root-owner-group "${compress[@]}" --build "$tree" "$OUT_DIR/${name}_${VERSION}_${DEB_ARCH}.deb" >/dev/null
}

# ---- the desktop app ----
desktop="$WORK/appcare-inbox"
install -D -m 0755 "$BIN_DIR/appcare-desktop" "$desktop/usr/bin/appcare-inbox"
strip --strip-unneeded "$desktop/usr/bin/appcare-inbox"
install -D -m 0644 "$HERE/desktop/appcare-inbox.desktop" "$desktop/usr/share/applications/appcare-inbox.desktop"
for icon in "$ROOT"/icons/hicolor/*/appcare-inbox.png; do
  size="$(basename "$(dirname "$icon")")"
  install -D -m 0644 "$icon" "$desktop/usr/share/icons/hicolor/$size/apps/appcare-inbox.png"
done
desktop_depends="$(shlib_depends "$desktop" usr/bin/appcare-inbox)"
# The workspace key goes to the desktop's keyring (Secret Service) unless a passphrase is
# chosen; xdg-open opens the data and log folders from the About page.
finish_deb "$desktop" appcare-inbox "$desktop_depends" "gnome-keyring | keepassxc, xdg-utils" "customer-care inbox for WhatsApp, Messenger and e-mail
 Agents answer customers who write on WhatsApp, Facebook Messenger and e-mail in
 one desktop window; everything it stores is encrypted, every sign-in takes a
 password and an authenticator code."

if command -v rpmbuild >/dev/null; then
  rpmtop="$WORK/rpm"
  mkdir -p "$rpmtop"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
  cat > "$rpmtop/SPECS/appcare-inbox.spec" <<SPEC
Name: appcare-inbox
Version: $VERSION
Release: 1
Summary: Customer-care inbox for WhatsApp, Messenger and e-mail
License: Proprietary
URL: https://appcare.example/inbox
Requires: webkit2gtk4.1, gtk3, libsoup3
AutoReqProv: no
%description
Agents answer customers who write on WhatsApp, Facebook Messenger and e-mail in one
desktop window; everything it stores is encrypted.
%install
mkdir -p %{buildroot}
cp -a $desktop/usr %{buildroot}/
%files
/usr/bin/appcare-inbox
/usr/share/applications/appcare-inbox.desktop
/usr/share/icons/hicolor/*/apps/appcare-inbox.png
%doc /usr/share/doc/appcare-inbox
SPEC
  payload="w9.xzdio"
  if [ -n "${PACKAGE_FAST:-}" ]; then payload="w1.gzdio"; fi
  rpmbuild --quiet --define "_topdir $rpmtop" --define "_build_id_links none" \
    --define "_binary_payload $payload" \
    --define "__strip /bin/true" -bb "$rpmtop/SPECS/appcare-inbox.spec" >/dev/null 2>&1
  cp "$rpmtop"/RPMS/*/appcare-inbox-"$VERSION"-1.*.rpm "$OUT_DIR/"
fi

# ---- the hub ----
hub="$WORK/appcare-hub"
install -D -m 0755 "$BIN_DIR/appcare" "$hub/usr/bin/appcare"
strip --strip-unneeded "$hub/usr/bin/appcare"
install -D -m 0644 "$ROOT/hub/deploy/appcare-hub.service" "$hub/usr/lib/systemd/system/appcare-hub.service"
install -D -m 0644 "$HERE/hub/appcare-hub.default" "$hub/etc/default/appcare-hub"
install -d "$hub/DEBIAN"
install -m 0755 "$HERE/hub/postinst" "$HERE/hub/prerm" "$HERE/hub/postrm" "$hub/DEBIAN/"
echo "/etc/default/appcare-hub" > "$hub/DEBIAN/conffiles"
finish_deb "$hub" appcare-hub "$(shlib_depends "$hub" usr/bin/appcare), passwd" "" "Appcare Inbox hub: the shared workspace of a team
 Serves a team's desktops and Meta's webhooks over HTTPS, syncs the mailboxes
 and sends the outbox. Runs as the appcare-hub systemd service under its own
 user, its workspace encrypted in /var/lib/appcare."

ls -1 "$OUT_DIR"
