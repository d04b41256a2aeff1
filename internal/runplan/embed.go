package runplan

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// sourceMarker starts the line of generated C that carries its plan, so
// that `run --emit > x.bpf.c; run x.bpf.c` attaches and prints exactly as
// running the BCC program did (fallback programs included).
const sourceMarker = "// ebpf-hello plan: "

// SourceLine is the plan as one line of C (a comment).
func (p Plan) SourceLine() string {
	b, err := json.Marshal(p)
	if err != nil { // plain data: cannot happen
		panic(err)
	}
	return sourceMarker + string(b) + "\n"
}

// FromSource reads the plan line of a C source; nil when it has none.
func FromSource(c []byte) (*Plan, error) {
	for _, line := range bytes.Split(c, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte(sourceMarker))
		if !ok {
			continue
		}
		var p Plan
		if err := json.Unmarshal(bytes.TrimSpace(rest), &p); err != nil {
			return nil, fmt.Errorf("its %q line is not a plan: %w", sourceMarker[3:len(sourceMarker)-2], err)
		}
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("its %q line is not a plan: %w", sourceMarker[3:len(sourceMarker)-2], err)
		}
		return &p, nil
	}
	return nil, nil
}
