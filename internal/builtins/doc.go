// Package builtins holds the specs of the built-in programs: which object,
// which programs each attach mode uses, the globals set from the options.
// The commands (printk, open, exec) load them, and doctor loads the same
// ones, so both agree on what works here without doctor importing a
// command's package.
//
// A spec is plain data for internal/probe: options flow down into it,
// nothing calls back up.
package builtins
