# Shared by the QEMU testbeds (sourced): stage kernel modules into the
# initramfs tree and pack it.
#   ks_stage_modules: needs MODDIR, KREL, ROOT, MODULES (names) and log();
#     copies each module and its dependencies (in load order) to
#     $ROOT/kvmscope/modules and lists them in $ROOT/kvmscope/modules.list.
#   ks_pack_initramfs OUT: cpio newc + gzip of $ROOT into OUT.

ks_stage_modules() {
	# name (dashes as underscores) -> path relative to $MODDIR
	declare -gA MPATH=() MDEPS=() MDONE=() BUILTIN=()
	# No subshells here: this runs over ~4000 module paths.
	modname() { MN=${1##*/}; MN=${MN%%.ko*}; MN=${MN//-/_}; }
	if [ -f "$MODDIR/modules.builtin" ]; then
		while read -r p; do modname "$p"; BUILTIN[$MN]=1; done <"$MODDIR/modules.builtin"
	fi
	if [ -f "$MODDIR/modules.dep" ]; then
		# Installed trees: modules.dep lists every module with its full
		# (transitive) dependency list.
		while IFS= read -r line; do
			modname "${line%%:*}"
			n=$MN
			MPATH[$n]=${line%%:*}
			d=""
			for q in ${line#*:}; do modname "$q"; d+=" $MN"; done
			MDEPS[$n]=$d
		done <"$MODDIR/modules.dep"
	else
		# Debian's linux-image .deb ships no modules.dep (depmod runs at
		# install time): map names via the tree and read each needed module's
		# own "depends=" from its .modinfo section.
		while IFS= read -r p; do
			modname "$p"
			MPATH[$MN]=${p#./}
		done < <(cd "$MODDIR" && find kernel -name '*.ko*')
	fi
	moddeps() { # fills MDEPS[name] with the direct deps, space separated
		local n=$1 f cat=cat d
		[ -z "${MDEPS[$n]+x}" ] || return 0
		f=$MODDIR/${MPATH[$n]}
		case $f in
		*.xz) cat="xz -dc" ;; *.zst) cat="zstd -dc" ;; *.gz) cat="gzip -dc" ;;
		esac
		d=$($cat "$f" | tr '\0' '\n' | grep -a -m1 '^depends=' || true)
		d=${d#depends=}
		d=${d//,/ }
		MDEPS[$n]=${d//-/_}
	}
	ORDER=()
	visit() {
		local n=$1 d
		[ -n "${MDONE[$n]:-}" ] && return 0
		MDONE[$n]=1
		[ -z "${BUILTIN[$n]:-}" ] || return 0
		[ -n "${MPATH[$n]:-}" ] || { log "module $n not found in $KREL (skipped)"; return 0; }
		moddeps "$n"
		for d in ${MDEPS[$n]}; do visit "$d"; done
		ORDER+=("$n")
	}
	for m in "${MODULES[@]}"; do visit "${m//-/_}"; done
	: >"$ROOT/kvmscope/modules.list"
	for n in "${ORDER[@]}"; do
		src=$MODDIR/${MPATH[$n]}
		dst=$ROOT/kvmscope/modules/$n.ko
		case $src in
		*.ko.xz) xz -dc "$src" >"$dst" ;;
		*.ko.zst) zstd -qdc "$src" >"$dst" ;;
		*.ko.gz) gzip -dc "$src" >"$dst" ;;
		*) cp "$src" "$dst" ;;
		esac
		echo "$n.ko" >>"$ROOT/kvmscope/modules.list"
	done
	log "modules: ${ORDER[*]}"
}

ks_pack_initramfs() {
	(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet | gzip -1) >"$1"
}
