package runner

import (
	"encoding/binary"

	"github.com/ebpf-hello/ebpf-hello/internal/btfview"
)

// A program on write(2), read(2) or openat(2) fires for ebpf-hello too:
// each line it prints is a write, which makes another line, and its own
// reads of tracefs and maps show up as the learner's first rows. So the
// lines and events of ebpf-hello's own threads are dropped, and their
// count is said at exit (--show-self keeps them). The program itself still
// fires for them: that cost is what the count tells.

// selfHint says how to see them, in the count's message.
const selfHint = "--show-self shows them"

// pidField is where an event holds the process (or thread) id that caused
// it: the first top-level integer field named pid, tgid or tid.
type pidField struct {
	offset, size int
	ok           bool
}

func findPIDField(l *btfview.Layout) pidField {
	for _, name := range []string{"pid", "tgid", "tid"} {
		for _, f := range l.Fields {
			if f.Name != name || f.BitSize != 0 || (f.Kind != btfview.KindUint && f.Kind != btfview.KindInt) {
				continue
			}
			if f.Size == 4 || f.Size == 8 {
				return pidField{offset: f.Offset, size: f.Size, ok: true}
			}
		}
	}
	return pidField{}
}

// read gives the id in sample (0 when the sample is too short to hold it).
// A u64 holding bpf_get_current_pid_tgid() whole keeps the pid in its
// high half; a plain id fits the low one.
func (p pidField) read(sample []byte) int {
	if p.offset+p.size > len(sample) {
		return 0
	}
	if p.size == 4 {
		return int(binary.NativeEndian.Uint32(sample[p.offset:]))
	}
	v := binary.NativeEndian.Uint64(sample[p.offset:])
	if v > 1<<32 {
		return int(v >> 32)
	}
	return int(v)
}
