#!/usr/bin/env bash
# Sourced first by run.sh and test.sh (the README's two commands): they want
# root (packages, probes, tracefs, private mounts, /dev/kvm on most hosts).
#  - root (a root shell, CI, a container without sudo): go on, sudo is never
#    used;
#  - a user with sudo: re-run the same script, arguments and KVMSCOPE_*/
#    BUILD_DIR/TMPDIR settings through sudo (as `sudo scripts/run.sh` would);
#  - a user without sudo, or KVMSCOPE_AS_USER=1: go on as that user; what
#    needs root says so (deps.sh names the packages to install, tests skip
#    with the reason).
# Usage: . "$(dirname "$0")/as-root.sh"   (before any cd; "$@" is the script's)
if [ "$(id -u)" != 0 ] && [ "${KVMSCOPE_AS_USER:-0}" != 1 ]; then
	if command -v sudo >/dev/null 2>&1; then
		_keep=()
		for _k in $(compgen -e); do   # exported names
			case $_k in KVMSCOPE_* | BUILD_DIR | TMPDIR) _keep+=("$_k=${!_k}") ;; esac
		done
		echo "$(basename "$0"): not root: running it through sudo" \
		     "(KVMSCOPE_AS_USER=1 runs it as $(id -un) instead)" >&2
		exec sudo -- env "${_keep[@]}" "$0" "$@"
	fi
	echo "$(basename "$0"): not root and no sudo: running as $(id -un);" \
	     "what needs root is skipped with the reason" >&2
fi
