# Shared by the Wine test groups (check-gt-wine, check-gt-exe,
# check-qga-wine, check-qga-msi-wine):
#   . tests/wine-env.sh; wine_isolate SCRATCH
# wine_isolate exports what keeps Wine to its own prefix and off the
# user's session: headless (no DISPLAY), no Mono or Gecko prompts, no
# winemenubuilder (which writes .desktop files and menus into $HOME), and
# HOME and the XDG folders inside SCRATCH, where Wine links its shell
# folders.  WINEPREFIX, WINEARCH and WINEDEBUG stay each test's own.
wine_isolate() {
    wine_home=$(mkdir -p "$1/home" && cd "$1/home" && pwd) || return 1
    export HOME="$wine_home" XDG_CONFIG_HOME="$wine_home/.config"
    export XDG_DATA_HOME="$wine_home/.local/share" XDG_CACHE_HOME="$wine_home/.cache"
    export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
    unset DISPLAY WAYLAND_DISPLAY
}
