package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	bpf "github.com/aquasecurity/libbpfgo"
	"golang.org/x/sys/unix"
)

// Network hooks take an interface: Target is "IFACE" (XDP, socket
// filters) or "IFACE" / "IFACE:egress" (tc, ingress by default).

// tcAttachment is a tc filter this process added, and whether it made
// the clsact qdisc it hangs from (then it removes that too).
type tcAttachment struct {
	hook    *bpf.TcHook
	opts    bpf.TcOpts
	created bool
}

// splitIface reads a network hook's target.
func splitIface(target string) (iface, direction string) {
	iface, direction, _ = strings.Cut(target, ":")
	return iface, direction
}

// checkIface: the interface exists here.
func checkIface(target string) error {
	iface, direction := splitIface(target)
	if iface == "" {
		return errors.New("no network interface given (--iface NAME)")
	}
	if direction != "" && direction != "ingress" && direction != "egress" {
		return fmt.Errorf("tc direction %q: ingress or egress", direction)
	}
	if _, err := net.InterfaceByName(iface); err != nil {
		return fmt.Errorf("network interface %q: %w (ip link lists them)", iface, err)
	}
	return nil
}

// attachTC adds prog as a direct-action filter on the interface's clsact
// qdisc (made when missing), as libbpf's bpf_tc_attach does for tc's
// SEC("tc") programs on every kernel since 4.5.
func (l *Loaded) attachTC(prog *bpf.BPFProg, target string) error {
	iface, direction := splitIface(target)
	hook := l.module.TcHookInit()
	if err := hook.SetInterfaceByName(iface); err != nil {
		return err
	}
	point := bpf.BPFTcIngress
	if direction == "egress" {
		point = bpf.BPFTcEgress
	}
	hook.SetAttachPoint(point)
	created := true
	if err := hook.Create(); err != nil {
		if !errors.Is(err, syscall.EEXIST) {
			return err
		}
		created = false // someone's clsact qdisc: used, left in place
	}
	t := &tcAttachment{hook: hook, created: created, opts: bpf.TcOpts{ProgFd: prog.FileDescriptor()}}
	if err := hook.Attach(&t.opts); err != nil {
		t.remove()
		return err
	}
	l.tc = append(l.tc, t)
	return nil
}

// remove detaches the filter and, if this process made it, the qdisc.
func (t *tcAttachment) remove() {
	if t.opts.Handle != 0 {
		_ = t.hook.Detach(&bpf.TcOpts{Handle: t.opts.Handle, Priority: t.opts.Priority})
	}
	if t.created {
		t.hook.SetAttachPoint(bpf.BPFTcIngressEgress) // the whole clsact qdisc
		_ = t.hook.Destroy()
	}
}

// attachSocket opens a raw packet socket bound to the interface and
// attaches prog as its filter: it then runs on every packet the interface
// sees. The socket is never read (the filter runs before its queue).
func (l *Loaded) attachSocket(prog *bpf.BPFProg, target string) error {
	iface, _ := splitIface(target)
	ifi, err := net.InterfaceByName(iface)
	if err != nil {
		return err
	}
	proto := int(htons(unix.ETH_P_ALL))
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return fmt.Errorf("open a packet socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: uint16(proto), Ifindex: ifi.Index}); err != nil {
		unix.Close(fd)
		return fmt.Errorf("bind a packet socket to %s: %w", iface, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ATTACH_BPF, prog.FileDescriptor()); err != nil {
		unix.Close(fd)
		return fmt.Errorf("attach the filter to a packet socket on %s: %w", iface, err)
	}
	l.sockets = append(l.sockets, fd)
	return nil
}

// htons is v in network byte order, as the socket calls want it.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// closeNet removes tc filters and closes filtered sockets.
func (l *Loaded) closeNet() {
	for _, t := range l.tc {
		t.remove()
	}
	l.tc = nil
	for _, fd := range l.sockets {
		unix.Close(fd)
	}
	l.sockets = nil
}
