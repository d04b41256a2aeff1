package samples

import (
	"context"
	"encoding/binary"
	"io"
	"reflect"
	"testing"
	"time"
)

func sample(ts uint64) []byte { return binary.NativeEndian.AppendUint64(nil, ts) }

func stamp(s []byte) uint64 { return binary.NativeEndian.Uint64(s[:8]) }

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

// TestReorderMergesAReadOfTwoCPUs: one read brings CPU 0's samples, then
// CPU 1's, older ones among them; equal times keep their order.
func TestReorderMergesAReadOfTwoCPUs(t *testing.T) {
	r := &Reorder{Window: 10, Time: stamp}
	r.Add(sample(100), sample(110))
	tie := binary.NativeEndian.AppendUint64(nil, 104)
	tie = append(tie, 'b') // a second sample of time 104, told apart by its last byte
	r.Add(sample(102), sample(104), sample(108), sample(111), sample(103), tie, sample(112))
	got := r.Release(0)
	if want := []uint64{100, 102, 103, 104, 104, 108, 110, 111, 112}; !reflect.DeepEqual(times(got), want) {
		t.Fatalf("released %v, want %v", times(got), want)
	}
	if len(got[3]) != 8 || len(got[4]) != 9 {
		t.Errorf("samples of equal time swapped")
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

// fakeSource hands out prepared reads, one per Read, and all that are
// left to a Read that does not wait (as the final read takes everything
// the kernel holds); the real one is probe.Reader, tested against the
// kernel in cmd/ebpf-hello.
type fakeSource struct{ reads [][][]byte }

func (f *fakeSource) Read(wait time.Duration) ([][]byte, error) {
	if len(f.reads) == 0 {
		time.Sleep(wait)
		return nil, nil
	}
	n := 1
	if wait == 0 {
		n = len(f.reads)
	}
	var out [][]byte
	for _, r := range f.reads[:n] {
		out = append(out, r...)
	}
	f.reads = f.reads[n:]
	return out, nil
}

// TestStreamDrainsInOrder: samples still inside the window stay held, and
// come back in order once ctx ends. Their times are an hour ahead, so they
// are inside the window however long this test takes (it once stamped them
// with now and lost its 10 ms on a busy machine).
func TestStreamDrainsInOrder(t *testing.T) {
	now := MonotonicNow() + uint64(time.Hour)
	src := &fakeSource{reads: [][][]byte{{sample(now + 3), sample(now + 1)}, {sample(now + 2)}}}
	s := NewStream(src, stamp)
	defer s.Close()
	first, err := s.Next(context.Background())
	if err != nil || len(first) != 0 {
		t.Fatalf("Next = %v, %v; want nothing yet (inside the window)", times(first), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := s.Next(ctx)
	if err != io.EOF {
		t.Fatalf("Next after cancel: %v, want io.EOF", err)
	}
	if want := []uint64{now + 1, now + 2, now + 3}; !reflect.DeepEqual(times(got), want) {
		t.Errorf("drained %v, want %v", times(got), want)
	}
	if rest, err := s.Next(ctx); err != io.EOF || len(rest) != 0 {
		t.Errorf("Next after the end = %v, %v; want nothing, io.EOF", times(rest), err)
	}
}

// TestStreamLosesNothingAtTheEnd: whenever ctx ends (before, during or
// after reads), every sample read comes back exactly once.
func TestStreamLosesNothingAtTheEnd(t *testing.T) {
	for i := 0; i < 50; i++ {
		now := MonotonicNow()
		var reads [][][]byte
		want := 0
		for r := 0; r < 20; r++ {
			reads = append(reads, [][]byte{sample(now + uint64(2*r)), sample(now + uint64(2*r+1))})
			want += 2
		}
		s := NewStream(&fakeSource{reads: reads}, stamp)
		ctx, cancel := context.WithCancel(context.Background())
		got := 0
		for n := 0; ; n++ {
			if n == i%7 {
				cancel()
			}
			batch, err := s.Next(ctx)
			got += len(batch)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		cancel()
		if got != want {
			t.Fatalf("round %d: %d samples back, want %d", i, got, want)
		}
	}
}
