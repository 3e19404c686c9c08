#!/usr/bin/env bash
# Install (or with --uninstall remove) the desktop entry, icons and AppStream metadata for the
# current user, so that Jazz Remix shows in the application menu and in "Open with" for audio files.
#
# Usage: packaging/install-desktop.sh [--uninstall] [COMMAND] [DATA_HOME]
#   COMMAND    the jazzremix executable the menu entry runs (default: `jazzremix` on PATH, else
#              .venv/bin/jazzremix; for the bundle: dist/jazzremix/jazzremix); made absolute
#   DATA_HOME  where to install (default: ${XDG_DATA_HOME:-~/.local/share})
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
ID=io.github.jazzremix.JazzRemix
uninstall=0
if [ "${1:-}" = "--uninstall" ]; then uninstall=1; shift; fi
data_home="${2:-${XDG_DATA_HOME:-$HOME/.local/share}}"
apps="$data_home/applications"; meta="$data_home/metainfo"; icons="$data_home/icons/hicolor"
mime="$data_home/mime"
sizes="16 24 32 48 64 128 256 512"

refresh() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
  command -v update-mime-database >/dev/null && [ -d "$mime/packages" ] && update-mime-database "$mime" 2>/dev/null || true
}

if [ $uninstall -eq 1 ]; then
  rm -f "$apps/$ID.desktop" "$meta/$ID.metainfo.xml" "$icons/scalable/apps/$ID.svg" "$mime/packages/$ID.xml"
  for s in $sizes; do rm -f "$icons/${s}x${s}/apps/$ID.png"; done
  refresh
  echo "removed the Jazz Remix desktop entry from $data_home"
  exit 0
fi

cmd="${1:-}"
if [ -z "$cmd" ]; then
  cmd="$(command -v jazzremix || true)"
  [ -n "$cmd" ] || cmd="$root/.venv/bin/jazzremix"
fi
[ -x "$cmd" ] || { echo "install-desktop: $cmd is not an executable jazzremix command (install first)" >&2; exit 1; }
cmd="$(cd "$(dirname "$cmd")" && pwd)/$(basename "$cmd")"
case "$cmd" in *[[:space:]\"\'\\\$\`]*)
  echo "install-desktop: the path $cmd holds spaces or quotes; install jazzremix somewhere without them" >&2; exit 1;;
esac

mkdir -p "$apps" "$meta" "$icons/scalable/apps"
tmp="$(mktemp "$apps/.$ID.XXXXXX")"
sed -e "s|^Exec=jazzremix |Exec=$cmd |" -e "s|^TryExec=jazzremix\$|TryExec=$cmd|" \
  "$here/$ID.desktop" > "$tmp"
chmod 644 "$tmp"; mv "$tmp" "$apps/$ID.desktop"
install -m 644 "$here/$ID.metainfo.xml" "$meta/$ID.metainfo.xml"
install -D -m 644 "$here/$ID.mime.xml" "$mime/packages/$ID.xml"
install -m 644 "$root/resources/icons/jazzremix.svg" "$icons/scalable/apps/$ID.svg"
for s in $sizes; do
  install -D -m 644 "$root/resources/icons/jazzremix-$s.png" "$icons/${s}x${s}/apps/$ID.png"
done
refresh
echo "installed the Jazz Remix desktop entry in $data_home (runs $cmd)"
