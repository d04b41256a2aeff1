package opens

import (
	"reflect"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/event"
)

func releasedTimes(t *testing.T, r *reorderer, now uint64) []uint64 {
	t.Helper()
	var got []uint64
	if _, err := r.release(now, func(e *event.Open) (bool, error) {
		got = append(got, e.TsNs)
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestReordererPutsLatecomersInOrder(t *testing.T) {
	r := &reorderer{window: 10}
	for _, ts := range []uint64{100, 103, 101, 104, 102, 120} {
		r.add(&event.Open{TsNs: ts})
	}
	if got, want := releasedTimes(t, r, 114), []uint64{100, 101, 102, 103, 104}; !reflect.DeepEqual(got, want) {
		t.Errorf("released %v, want %v", got, want)
	}
	if r.len() != 1 {
		t.Errorf("%d events still held, want 1 (ts 120 is inside the window)", r.len())
	}
	if got, want := releasedTimes(t, r, 0), []uint64{120}; !reflect.DeepEqual(got, want) {
		t.Errorf("final release %v, want %v", got, want)
	}
}

func TestReordererStopsWhenAsked(t *testing.T) {
	r := &reorderer{window: 0}
	for _, ts := range []uint64{1, 2, 3} {
		r.add(&event.Open{TsNs: ts})
	}
	stop, err := r.release(0, func(e *event.Open) (bool, error) { return e.TsNs == 2, nil })
	if !stop || err != nil {
		t.Fatalf("stop=%v err=%v, want stop", stop, err)
	}
	if r.len() != 1 || r.pending[0].TsNs != 3 {
		t.Errorf("held %v, want only ts 3", r.pending)
	}
}
