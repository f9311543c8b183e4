#!/bin/sh
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret
# Service, so keychain tests (QtKeychain) talk to a real keychain that is not the user's.
#   tests/support/with-keyring.sh COMMAND [ARGS...]
# Everything lives in a fresh temporary HOME/XDG_RUNTIME_DIR, removed afterwards, so several
# runs can go side by side (ctest -j) without sharing a keyring or a control socket.
# Needs: dbus-run-session (Debian dbus), gnome-keyring-daemon (gnome-keyring).
set -eu

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

if [ "${DUST_IN_KEYRING_SESSION:-}" != 1 ]; then
    for tool in dbus-run-session gnome-keyring-daemon; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "with-keyring.sh: $tool is missing (Debian packages: dbus gnome-keyring)" >&2
            exit 1
        fi
    done
    root=$(mktemp -d "${TMPDIR:-/tmp}/dust-keyring.XXXXXX")
    chmod 700 "$root"
    trap 'rm -rf "$root"' EXIT INT TERM
    mkdir -m 700 "$root/home" "$root/runtime"
    # Not exec: the trap removes the directory once the session has ended.
    set +e
    HOME="$root/home" XDG_RUNTIME_DIR="$root/runtime" XDG_DATA_HOME="$root/home/.local/share" \
        XDG_CONFIG_HOME="$root/home/.config" XDG_CACHE_HOME="$root/home/.cache" \
        DUST_IN_KEYRING_SESSION=1 dbus-run-session -- "$0" "$@"
    status=$?
    exit "$status"
fi

# Inside the session bus: a keyring daemon of our own, its login keyring created with an
# empty password and unlocked (the password is read from stdin). It stays in the
# foreground of a background job, so its pid is known and it is stopped on the way out.
printf 'dust-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
    --control-directory="$XDG_RUNTIME_DIR/keyring" >"$XDG_RUNTIME_DIR/keyring.env" 2>"$XDG_RUNTIME_DIR/keyring.log" &
daemon=$!
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null' EXIT INT TERM

# Ready once it owns the Secret Service name on the bus (at most ~10 s).
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q 'boolean true'; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ] || ! kill -0 "$daemon" 2>/dev/null; then
        echo "with-keyring.sh: gnome-keyring-daemon did not start:" >&2
        cat "$XDG_RUNTIME_DIR/keyring.log" >&2
        exit 1
    fi
    sleep 0.05
done

set +e
"$@"
status=$?
exit "$status"
