// Package lang picks the language of messages: English, or Chinese for the
// tutorial's Chinese-speaking readers.
package lang

import (
	"os"
	"strings"
)

// Pick returns "zh" or "en". A non-empty flag (--lang) wins; "" follows
// the locale (LC_ALL, LC_MESSAGES, LANG, the first one set), so
// LANG=zh_CN.UTF-8 gives Chinese.
func Pick(flag string) string {
	if flag != "" {
		return flag
	}
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if value := os.Getenv(v); value != "" {
			if strings.HasPrefix(value, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}
