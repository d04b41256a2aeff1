package doctor

var (
	mRunNoClang   = msg{"run: clang not found (%v): .bpf.c and BCC programs cannot be compiled; a .bpf.o still runs", "run：未找到 clang（%v）：无法编译 .bpf.c 和 BCC 程序；.bpf.o 仍可运行"}
	mRunClangHint = msg{"install clang (Debian: apt install clang)", "安装 clang（Debian：apt install clang）"}
	mRunNoCompile = msg{"run: clang %s cannot compile a tiny program: %v", "run：clang %s 无法编译一个极小的程序：%v"}
	mRunNoLoad    = msg{"run: clang %s compiles, but the program does not load: %v", "run：clang %s 能编译，但程序无法加载：%v"}
	mRunOK        = msg{"run: clang %s compiles a tiny program and the kernel loads it", "run：clang %s 能编译极小的程序，内核也能加载它"}
	mRunCompiles  = msg{"run: clang %s compiles a tiny program (loading it needs root)", "run：clang %s 能编译极小的程序（加载需要 root）"}
)

// checkRun: can `run` work here? clang present, a tiny program compiles
// and (as root) loads and attaches.
func (d *doctor) checkRun(root bool, tracefsDir string) {
	try := d.kernel.TryRun(root && tracefsDir != "", tracefsDir)
	switch {
	case try.ClangErr != nil:
		d.add("run", Warn, mRunNoClang.in(d.lang, try.ClangErr), mRunClangHint.in(d.lang))
	case try.CompileErr != nil:
		d.add("run", Warn, mRunNoCompile.in(d.lang, try.Version, firstLine(try.CompileErr.Error())), "")
	case !try.Loaded:
		d.add("run", OK, mRunCompiles.in(d.lang, try.Version), "")
	case try.LoadErr != nil:
		d.add("run", Warn, mRunNoLoad.in(d.lang, try.Version, errorsUnwrapped(try.LoadErr)), "")
	default:
		d.add("run", OK, mRunOK.in(d.lang, try.Version), "")
	}
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
