#!/usr/bin/env bash
# The BCC half of `make bench` (issue 12): the tutorial's hello2.py under real
# BCC (Debian's python3-bpfcc) and under `ebpf-hello run`, in the same VM boot,
# on a kernel where both work: time to first event and peak RSS side by side.
#
#   scripts/bench/bcc-vm.sh [bin/ebpf-hello-static]
#   scripts/bench/bcc-vm.sh --image       only build the VM image (no BPF is loaded)
#
#   BENCH_VM_REFRESH=1     build the VM image again
#   BENCH_VM_TIMEOUT=900   seconds the VM may run before it is killed
#   BENCH_VM_ROUNDS=3      how many times each tracer is started (the median is shown)
#
# BCC cannot run on a kernel without kprobes, nor without kernel headers, so
# it runs in qemu (TCG, as `make vmtest` does) on Debian bookworm's cloud
# kernel: the newest linux-image-6.1*-cloud-amd64 of bookworm on the mirror
# this machine's apt uses, the same rule scripts/vmtest.sh uses for its 6.1
# kernel. The VM's root is a Debian bookworm minbase (debootstrap) with that
# kernel, its headers, python3-bpfcc, clang and GNU time, kept as an ext4 image
# in ${XDG_CACHE_HOME:-~/.cache}/ebpf-hello/bench-vm (built once, about 1.5 GB
# of downloads and 5 minutes). Each run boots it read-only (qemu snapshot) with
# a second disk, a tar of our static binary, the tutorial's files and
# scripts/bench/vm-init.sh, which does the measuring and prints BENCH| lines
# on the serial console. Times under TCG are slower than native for both
# tracers: compare the ratios.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
image_only=
[ "${1:-}" = --image ] && image_only=1 && shift
bin=${1:-$repo/bin/ebpf-hello-static}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ebpf-hello
image=$cache/bench-vm
vm_timeout=${BENCH_VM_TIMEOUT:-900}
rounds=${BENCH_VM_ROUNDS:-3}
tutorial=${BENCH_TUTORIAL:-$repo/internal/bcc/testdata/tutorial}
arch=$(dpkg --print-architecture)

say() { echo "bench-vm: $*" >&2; }
die() {
	say "error: $*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: building the image needs chroot"
[ "$arch" = amd64 ] || die "the BCC VM is built for amd64 only (this machine: $arch)"
for tool in debootstrap mke2fs qemu-system-x86_64; do
	command -v "$tool" >/dev/null || die "$tool not found (scripts/setup.sh bench)"
done
[ -n "$image_only" ] || [ -f "$bin" ] || die "$bin not found: build it with 'make static'"
if [ -z "$image_only" ] && LC_ALL=C readelf -l "$bin" 2>/dev/null | grep -q 'program interpreter'; then
	die "$bin is dynamically linked: the VM has no libbpf or libelf (use 'make static')"
fi
for f in hello2.py hello2.c; do
	[ -n "$image_only" ] || [ -r "$tutorial/$f" ] || die "$tutorial/$f not found (the tutorial's files; BENCH_TUTORIAL=DIR)"
done

work=$(mktemp -d /var/tmp/ebpf-hello-bench-vm.XXXXXX)
qemu_pid=

# mounts_under DIR: the mount points below DIR, deepest first.
mounts_under() { findmnt -rn -o TARGET | awk -v p="$1/" 'index($0, p) == 1' | sort -r; }

cleanup() {
	local m
	[ -z "$qemu_pid" ] || kill -KILL "$qemu_pid" 2>/dev/null || true
	for m in $(mounts_under "$work"); do umount "$m" 2>/dev/null || umount -l "$m"; done
	if [ -z "$(mounts_under "$work")" ]; then
		rm -rf --one-file-system "$work"
	else
		say "still mounted, leaving $work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mirror: the Debian mirror this machine's apt uses (not the security one).
mirror() {
	local uri
	uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=$(awk '$1=="deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
	[ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt/sources.list*"
	echo "$uri"
}

# make_root DIR: a bookworm minbase root in DIR. The tarball is the one
# scripts/fresh-test.sh keeps (same recipe), so a machine that ran either
# bootstraps only once a week.
make_root() {
	local root=$1 tarball=$cache/root-bookworm-minbase-$arch.tar
	mkdir -p "$root"
	if [ -s "$tarball" ] && [ -z "$(find "$tarball" -mtime +7)" ]; then
		tar -C "$root" --numeric-owner -xpf "$tarball"
		return
	fi
	say "debootstrap --variant=minbase bookworm from $(mirror)"
	debootstrap --variant=minbase bookworm "$root" "$(mirror)" >"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log" >&2
		die "debootstrap failed"
	}
	tar -C "$root" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
}

# in_root CMD...: run CMD in the chroot with a clean environment.
in_root() {
	chroot "$work/root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# build_image: the VM's root as an ext4 image, and its kernel and initrd
# beside it, filled in $image.new and swapped in whole.
build_image() {
	local root=$work/root kver pkg m size f
	make_root "$root"
	# Only this machine's network settings for apt: resolver and Acquire options.
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
		[ -f "$f" ] && grep -qi 'acquire' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
	done
	echo "deb $(mirror) bookworm main" >"$root/etc/apt/sources.list"
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
	mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
	in_root apt-get -q update >"$work/apt.log" 2>&1 || {
		tail -20 "$work/apt.log" >&2
		die "apt-get update in the VM root failed"
	}
	# The kernel scripts/vmtest.sh boots as "6.1": the newest cloud 6.1 image.
	pkg=$(in_root apt-cache pkgnames linux-image-6.1. | grep -E '^linux-image-6\.1\.[0-9.-]+-cloud-amd64$' | sort -V | tail -n 1)
	[ -n "$pkg" ] || die "no linux-image-6.1*-cloud-amd64 in bookworm on $(mirror)"
	kver=${pkg#linux-image-}
	say "installing $pkg, linux-headers-$kver, python3-bpfcc, clang, time in the VM root"
	in_root apt-get -q install -y --no-install-recommends \
		"$pkg" "linux-headers-$kver" python3-bpfcc clang time procps >>"$work/apt.log" 2>&1 || {
		tail -30 "$work/apt.log" >&2
		die "apt-get install in the VM root failed"
	}
	in_root apt-get clean
	for m in $(mounts_under "$root"); do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -f "$root/etc/resolv.conf"
	# The VM's init: mount what the kernel did not, unpack the second disk (a
	# tar of this run's binary and scripts) and hand over to its vm-init.sh.
	cat >"$root/sbin/bench-init" <<-'EOF'
		#!/bin/sh
		export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		mount -t proc proc /proc 2>/dev/null
		mount -t sysfs sysfs /sys 2>/dev/null
		mount -t devtmpfs devtmpfs /dev 2>/dev/null
		mount -t tmpfs tmpfs /tmp
		mkdir -p /tmp/bench && tar -C /tmp/bench -xf /dev/vdb
		exec /bin/sh /tmp/bench/vm-init.sh
	EOF
	chmod 755 "$root/sbin/bench-init"
	rm -rf "$image.new" && mkdir -p "$image.new"
	cp "$root/boot/vmlinuz-$kver" "$image.new/vmlinuz"
	cp "$root/boot/initrd.img-$kver" "$image.new/initrd.img"
	echo "$pkg $(in_root dpkg-query -W -f='${Version}' "$pkg") bookworm" >"$image.new/package"
	in_root dpkg-query -W -f='${Package} ${Version}\n' python3-bpfcc clang >>"$image.new/package"
	size=$(($(du -sm "$root" | cut -f1) * 5 / 4 + 512))
	mke2fs -q -t ext4 -L benchroot -d "$root" "$image.new/root.img" "${size}M" ||
		die "mke2fs of the VM root failed"
	rm -rf "$image" && mv "$image.new" "$image"
	rm -rf --one-file-system "$root"
	say "image: $image ($(du -sh "$image/root.img" | cut -f1))"
}

if [ -n "${BENCH_VM_REFRESH:-}" ] || [ ! -s "$image/root.img" ] || [ ! -s "$image/package" ]; then
	mkdir -p "$cache"
	build_image
fi
[ -z "$image_only" ] || exit 0

# This run's files, as a tar on a second disk.
mkdir -p "$work/payload"
cp "$bin" "$work/payload/ebpf-hello"
gcc -static -O2 -Wall -o "$work/payload/firstevent" "$here/firstevent.c" ||
	die "cannot build scripts/bench/firstevent.c statically (libc6-dev has libc.a)"
cp "$tutorial/hello2.py" "$tutorial/hello2.c" "$here/vm-init.sh" "$work/payload/"
# hello2.py loads src_file="trace-open.c": BCC gets hello2.c under that name.
cp "$tutorial/hello2.c" "$work/payload/trace-open.c"
echo "$rounds" >"$work/payload/rounds"
[ -z "${BENCH_VM_DEBUG:-}" ] || : >"$work/payload/debug"
tar -C "$work/payload" -cf "$work/payload.tar" .

read -r pkg version _ <"$image/package"
say "booting $pkg $version (qemu TCG, timeout ${vm_timeout}s)"
log=$cache/logs/bench-vm.log
mkdir -p "$cache/logs"
: >"$log"
# As in scripts/vmtest.sh: round-robin TCG (thread=single), no devices but the
# serial port and the two disks; the root is opened read-only (snapshot).
timeout --kill-after=10 "$vm_timeout" qemu-system-x86_64 \
	-accel tcg,thread=single -cpu max -m 2048 -smp 2 \
	-nodefaults -display none -no-reboot \
	-serial "file:$log" \
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
	-drive "file=$image/root.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$work/payload.tar,if=virtio,format=raw,readonly=on" \
	-append "console=ttyS0 root=/dev/vda ro init=/sbin/bench-init panic=-1 quiet" \
	</dev/null >"$work/qemu.out" 2>&1 &
qemu_pid=$!
shown=0
while kill -0 "$qemu_pid" 2>/dev/null; do
	sleep 2
	n=$(tr -d '\r' <"$log" | grep -ac '^BENCH' || true)
	if [ "$n" -gt "$shown" ]; then
		tr -d '\r' <"$log" | grep -a '^BENCH' | sed -n "$((shown + 1)),\$p" | sed 's/^/bench-vm: /' | cut -c1-2000 >&2
		shown=$n
	fi
done
rc=0
wait "$qemu_pid" || rc=$?
qemu_pid=
[ ! -s "$work/qemu.out" ] || sed 's/^/bench-vm: qemu: /' "$work/qemu.out" >&2
tr -d '\r' <"$log" | grep -a '^BENCH|' >"$work/results" || true
if ! tr -d '\r' <"$log" | grep -aq '^BENCH-DONE'; then
	say "the VM did not finish (exit $rc); last 30 console lines ($log):"
	tr -d '\r' <"$log" | tail -n 30 | sed 's/^/    /' >&2
	exit 1
fi

# The table: one row per tracer, medians over the rounds.
# Result lines: BENCH|<tracer>|<round>|ok|<first event ms>|<tree peak RSS KB>|<tracer VmHWM KB>|<detail>
#           or: BENCH|<tracer>|<round>|fail|<reason>
echo
echo "hello2.py, time to first event and peak RSS, $pkg $version under qemu TCG ($rounds rounds, median):"
awk -F'|' '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
!($2 in known) { known[$2] = 1; order[++n] = $2 }
$4 == "ok" { ok[$2]++; first[$2] = first[$2] " " $5; tree[$2] = tree[$2] " " $6; hwm[$2] = hwm[$2] " " $7 }
$4 == "fail" { nfail++; fails[nfail] = $2 " round " $3 ": " $5 }
END {
	printf "%-24s %-6s %-15s %-13s %-15s %s\n", "TRACER", "RUNS", "FIRST_EVENT_MS", "PEAK_RSS_MB", "TRACER_RSS_MB", "VS_BCC(first event, peak RSS, tracer RSS)"
	bf = median(first["bcc"]); br = median(tree["bcc"]); bh = median(hwm["bcc"])
	for (i = 1; i <= n; i++) {
		t = order[i]
		if (!ok[t]) { printf "%-24s failed in every run\n", t; continue }
		f = median(first[t]); r = median(tree[t]); h = median(hwm[t])
		vs = (t == "bcc" || !ok["bcc"]) ? "-" : sprintf("%.3f, %.2f, %.2f", f / bf, r / br, h / bh)
		printf "%-24s %-6s %-15d %-13.1f %-15.1f %s\n", t, ok[t], f, r / 1024, h / 1024, vs
	}
	print "  PEAK_RSS_MB: the whole process tree (GNU time; clang included for ebpf-hello); TRACER_RSS_MB: VmHWM of the tracer process"
	if (ok["bcc"] && ok["ebpf-hello-warm-cache"]) {
		w = median(first["ebpf-hello-warm-cache"]) / bf
		printf "  target (issue 12): warm first event under 1/4 of BCC'"'"'s: %.3f (%s)\n", w, (w < 0.25 ? "met" : "MISSED")
		w = median(tree["ebpf-hello-warm-cache"]) / br; h = median(hwm["ebpf-hello-warm-cache"]) / bh
		printf "  target (issue 12): RSS under 1/3 of BCC'"'"'s: tracer %.2f (%s), with clang %.2f (%s)\n", h, (h < 1 / 3 ? "met" : "MISSED"), w, (w < 1 / 3 ? "met" : "MISSED")
	}
	if (ok["bcc"] && ok["ebpf-hello-cold-cache"]) {
		c = median(first["ebpf-hello-cold-cache"]) / bf
		printf "  target (issue 11): cold first event under BCC'"'"'s: %.3f (%s)\n", c, (c < 1 ? "met" : "MISSED")
	}
	for (i = 1; i <= nfail; i++) print "  failed: " fails[i]
}' "$work/results"
tr -d '\r' <"$log" | grep -a '^BENCH-NOTE|' | cut -d'|' -f2- | sed 's/^/  note: /' || true
