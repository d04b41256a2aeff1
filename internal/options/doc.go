// Package options holds the settings of the built-in commands (printk,
// open, exec) and checks them before anything is loaded: values out of
// range are one clear error, never a silent wrap-around in the kernel.
// Plain Go: it builds and tests with CGO_ENABLED=0.
package options
