package pyfmt

import (
	"fmt"
	"strings"
	"time"
)

// Strftime formats t as Python's time.strftime(format) does, for the
// directives scripts print times with (%H %M %S %I %p %Y %y %m %d %j %b
// %B %a %A %Z %z %T %R %D %F %%); another is an error naming it.
func Strftime(format string, t time.Time) (string, error) {
	if len(format) > MaxOutput {
		return "", fmt.Errorf("a strftime format of %d bytes", len(format))
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(format) {
			return "", fmt.Errorf("strftime format %q ends with %%", format)
		}
		i++
		layout, ok := strftimeLayouts[format[i]]
		switch {
		case format[i] == '%':
			b.WriteByte('%')
		case format[i] == 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case ok:
			b.WriteString(t.Format(layout))
		default:
			return "", fmt.Errorf("strftime directive %%%c is not supported", format[i])
		}
		if b.Len() > MaxOutput {
			return "", fmt.Errorf("a strftime result longer than %d bytes", MaxOutput)
		}
	}
	return b.String(), nil
}

var strftimeLayouts = map[byte]string{
	'H': "15", 'M': "04", 'S': "05", 'I': "03", 'p': "PM",
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02",
	'b': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday",
	'Z': "MST", 'z': "-0700",
	'T': "15:04:05", 'R': "15:04", 'D': "01/02/06", 'F': "2006-01-02",
}
