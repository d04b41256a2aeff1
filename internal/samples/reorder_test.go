package samples

import (
	"context"
	"encoding/binary"
	"reflect"
	"testing"
)

func sample(ts uint64) []byte { return binary.NativeEndian.AppendUint64(nil, ts) }

func stamp(s []byte) uint64 { return binary.NativeEndian.Uint64(s) }

func times(samples [][]byte) []uint64 {
	var out []uint64
	for _, s := range samples {
		out = append(out, stamp(s))
	}
	return out
}

func TestReorderPutsLatecomersInOrder(t *testing.T) {
	r := &Reorder{Window: 10, Time: stamp}
	for _, ts := range []uint64{100, 103, 101, 104, 102, 120} {
		r.Add(sample(ts))
	}
	if got, want := times(r.Release(114)), []uint64{100, 101, 102, 103, 104}; !reflect.DeepEqual(got, want) {
		t.Errorf("released %v, want %v", got, want)
	}
	if r.Len() != 1 {
		t.Errorf("%d samples still held, want 1 (ts 120 is inside the window)", r.Len())
	}
	if got, want := times(r.Release(0)), []uint64{120}; !reflect.DeepEqual(got, want) {
		t.Errorf("final release %v, want %v", got, want)
	}
}

func TestReorderReleasesTheOldestBeyondMax(t *testing.T) {
	r := &Reorder{Window: 1000, Time: stamp, Max: 2}
	for _, ts := range []uint64{5, 1, 4, 2, 3} {
		r.Add(sample(ts))
	}
	if got, want := times(r.Release(10)), []uint64{1, 2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("released %v, want %v (all but the Max newest)", got, want)
	}
}

// fakeSource hands out prepared reads; the real one is probe.Reader,
// tested against the kernel in cmd/ebpf-hello.
type fakeSource struct{ reads [][][]byte }

func (f *fakeSource) Read() ([][]byte, error) {
	if len(f.reads) == 0 {
		return nil, nil
	}
	r := f.reads[0]
	f.reads = f.reads[1:]
	return r, nil
}

func TestStreamDrainsInOrder(t *testing.T) {
	now := MonotonicNow()
	src := &fakeSource{reads: [][][]byte{{sample(now + 3), sample(now + 1)}, {sample(now + 2)}}}
	s := NewStream(src, stamp)
	defer s.Close()
	first, err := s.Next(context.Background())
	if err != nil || len(first) != 0 {
		t.Fatalf("Next = %v, %v; want nothing yet (inside the window)", times(first), err)
	}
	got, err := s.Drain()
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{now + 1, now + 2, now + 3}; !reflect.DeepEqual(times(got), want) {
		t.Errorf("drained %v, want %v", times(got), want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Next(ctx); err == nil {
		t.Error("Next after cancel returned no error")
	}
}
