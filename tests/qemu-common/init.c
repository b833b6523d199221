/*
 * /init for the kvmscope QEMU testbeds (tests/qemu-x86/testbed.sh and
 * tests/qemu-arm64/testbed.sh).  Architecture-neutral: the same source is
 * built with gcc (x86_64) or aarch64-linux-gnu-gcc (arm64).
 *
 * Runs as PID 1 inside a TCG-emulated guest booted from Debian's kernel.  It:
 *   1. mounts devtmpfs, proc, sysfs (+ tracefs and bpffs, failures ignored);
 *   2. loads the modules listed in /kvmscope/modules.list (one file name per
 *      line, dependency order) with finit_module(2) and prints each result;
 *   3. mounts the 9p share "out" (virtio) at /out; if that fails, falls back
 *      to a tmpfs at /out and dumps its files base64-encoded on the console;
 *      when the initramfs has a /tools directory (testbed.sh --with-tool),
 *      mounts the read-only 9p share "tools" there and puts /tools/bin on
 *      PATH;
 *   4. prints the kernel log lines that tell how KVM came up (klogctl: arm64
 *      VHE / nVHE / protected mode, boot EL, x86 kvm_amd/kvm_intel
 *      messages, Gunyah driver lines) and a one-word summary "kvm mode:
 *      ..." (exported to the program as KVMSCOPE_KVM_MODE), then checks
 *      /dev/kvm (and reports /dev/gunyah when present);
 *   5. runs /kvmscope/prog with the arguments found after "--" on the kernel
 *      command line (the kernel hands them to us as argv; testbed.sh puts
 *      the word KVMSCOPE-ARGV first), cwd = /out;
 *   6. prints KVMSCOPE-EXIT-STATUS=<n> and powers off.
 *
 * Build: gcc -static -Os -o init init.c
 *        aarch64-linux-gnu-gcc -static -Os -o init init.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "/kvmscope/prog"
#define MODDIR "/kvmscope/modules"
#define MODLIST "/kvmscope/modules.list"
#define OUTDIR "/out"
#define TOOLSDIR "/tools"
#define ARGV_MARK "KVMSCOPE-ARGV"

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kvmscope-init: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static double uptime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void try_mount(const char *src, const char *dst, const char *type,
		      const char *data, int quiet)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, data) != 0 && errno != EBUSY && !quiet)
		say("mount %s on %s failed: %s", type, dst, strerror(errno));
}

static void console_stdio(void)
{
	/* Without /dev/console in the initramfs the kernel gives us no
	 * stdin/stdout/stderr: reopen them on the devtmpfs console. */
	if (fcntl(1, F_GETFD) != -1)
		return;
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/*
 * The parameters for module `mod` given as mod.param=value on /proc/cmdline,
 * space-separated into out.  The kernel applies those only to built-in code;
 * for a loadable module it is modprobe that passes them, and we are modprobe.
 * Module names use '_' for '-' (kvm_amd.ko <- kvm_amd.nested=0).
 */
static void module_params(const char *file, char *out, size_t len)
{
	char buf[4096], mod[128];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t n = 0;

	out[0] = 0;
	snprintf(mod, sizeof mod, "%.*s", (int)strcspn(file, "."), file);
	for (char *c = mod; *c; c++)
		if (*c == '-')
			*c = '_';
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f)) {
		size_t ml = strlen(mod);
		for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
			if (strncmp(tok, mod, ml) || tok[ml] != '.' || !strchr(tok, '='))
				continue;
			int w = snprintf(out + n, len - n, "%s%s", n ? " " : "", tok + ml + 1);
			if (w < 0 || (size_t)w >= len - n)
				break;
			n += (size_t)w;
		}
	}
	fclose(f);
}

static int load_modules(void)
{
	FILE *f = fopen(MODLIST, "r");
	char line[512], path[1024];
	int failed = 0;

	if (!f) {
		say("no %s: loading no modules", MODLIST);
		return 0;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		snprintf(path, sizeof path, "%s/%s", MODDIR, line);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			say("module %s: open: %s", line, strerror(errno));
			failed++;
			continue;
		}
		char params[1024];
		module_params(line, params, sizeof params);
		if (params[0])
			say("module %s: parameters '%s'", line, params);
		double t0 = uptime();
		long rc = syscall(SYS_finit_module, fd, params, 0);
		int err = errno;
		close(fd);
		if (rc == 0)
			say("module %s: loaded (%.3f s)", line, uptime() - t0);
		else if (err == EEXIST)
			say("module %s: already present", line);
		else {
			say("module %s: FAILED: %s", line, strerror(err));
			failed++;
		}
	}
	fclose(f);
	return failed;
}

/* A number given as NAME<value> on /proc/cmdline, or 0. */
static double cmdline_number(const char *name)
{
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "r");
	double v = 0;

	if (!f)
		return 0;
	if (fgets(buf, sizeof buf, f)) {
		char *p = strstr(buf, name);
		if (p)
			v = strtod(p + strlen(name), NULL);
	}
	fclose(f);
	return v;
}

/* Kernel log lines worth showing (substring match, each line once). */
static const char *const klog_patterns[] = {
	/* arm64: how the kernel was entered and how KVM initialised */
	"CPU: All CPU(s) started at EL",
	"CPU(s) started at EL",	/* "CPU: CPUs started in inconsistent modes" */
	"HYP mode not available",
	"VHE mode initialized",	/* also matches "Hyp nVHE mode ..." and "Protected nVHE ..." */
	"Hyp mode initialized",
	"Protected KVM",	/* "CPU features: detected: Protected KVM",
				 * "Protected KVM not available with VHE" */
	"kvm [",		/* arm64 KVM: vgic, IPA size, errors */
	/* x86 */
	"kvm_amd: ",
	"kvm_intel: ",
	"kvm: ",
	/* Gunyah (tests/qemu-gunyah): the driver's probe and its complaints */
	"Gunyah",
	"gunyah",
	NULL,
};

/* Print the matching kernel log lines; returns the KVM mode seen:
 * "vhe", "nvhe", "protected", "none" (arm64 without EL2) or NULL. */
static const char *klog_kvm_lines(void)
{
	const char *mode = NULL;
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (len <= 0)
		len = 1 << 20;
	char *buf = malloc(len + 1);
	if (!buf)
		return NULL;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (n < 0) {
		say("klogctl: %s", strerror(errno));
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	for (char *line = buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *text = line;
		if (text[0] == '<') {	/* "<6>" syslog level */
			char *gt = strchr(text, '>');
			if (gt)
				text = gt + 1;
		}
		int hit = 0;
		if (strstr(text, "Kernel command line:"))	/* names kvm-arm.mode */
			continue;
		for (const char *const *p = klog_patterns; *p && !hit; p++)
			hit = strstr(text, *p) != NULL;
		if (!hit)
			continue;
		say("klog: %s", text);
		if (strstr(text, "Protected nVHE mode initialized"))
			mode = "protected";
		else if (strstr(text, "nVHE mode initialized") ||
			 strstr(text, "Hyp mode initialized"))
			mode = "nvhe";
		else if (strstr(text, "VHE mode initialized"))
			mode = "vhe";
		else if (strstr(text, "HYP mode not available") && !mode)
			mode = "none";
	}
	free(buf);
	return mode;
}

static const char b64tab[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Fallback transport: print a file base64-encoded between markers. */
static void dump_file(const char *path, const char *rel)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	unsigned char in[57];
	char out[80];
	printf("KVMSCOPE-FILE-BEGIN %s\n", rel);
	for (;;) {
		ssize_t n = 0, r;
		while (n < (ssize_t)sizeof in &&
		       (r = read(fd, in + n, sizeof in - n)) > 0)
			n += r;
		if (n <= 0)
			break;
		int o = 0;
		for (ssize_t i = 0; i < n; i += 3) {
			unsigned v = in[i] << 16;
			if (i + 1 < n) v |= in[i + 1] << 8;
			if (i + 2 < n) v |= in[i + 2];
			out[o++] = b64tab[(v >> 18) & 63];
			out[o++] = b64tab[(v >> 12) & 63];
			out[o++] = i + 1 < n ? b64tab[(v >> 6) & 63] : '=';
			out[o++] = i + 2 < n ? b64tab[v & 63] : '=';
		}
		out[o] = 0;
		puts(out);
		if (n < (ssize_t)sizeof in)
			break;
	}
	printf("KVMSCOPE-FILE-END %s\n", rel);
	fflush(stdout);
	close(fd);
}

static void dump_tree(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[4096], r[4096];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		if (lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			dump_tree(p, r);
		else if (S_ISREG(st.st_mode))
			dump_file(p, r);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	int via9p = 0, status = 255;
	struct stat st;

	try_mount("devtmpfs", "/dev", "devtmpfs", NULL, 0);
	console_stdio();
	setvbuf(stdout, NULL, _IOLBF, 0);
	try_mount("proc", "/proc", "proc", NULL, 0);
	try_mount("sysfs", "/sys", "sysfs", NULL, 0);
	try_mount("tracefs", "/sys/kernel/tracing", "tracefs", NULL, 1);
	try_mount("bpf", "/sys/fs/bpf", "bpf", NULL, 1);
	try_mount("tmpfs", "/tmp", "tmpfs", NULL, 1);
	setenv("PATH", "/kvmscope:/bin:/sbin", 1);
	/* the serial console is a tty, but it is a log: no progress lines */
	setenv("TERM", "dumb", 1);

	say("started at %.3f s uptime", uptime());
	int modfail = load_modules();
	say("modules done at %.3f s uptime (%d failed)", uptime(), modfail);

	mkdir(OUTDIR, 0755);
	if (mount("out", OUTDIR, "9p", 0,
		  "trans=virtio,version=9p2000.L,msize=262144,cache=none") == 0) {
		via9p = 1;
		say("output dir %s: 9p share 'out'", OUTDIR);
	} else {
		say("9p mount failed (%s); output via console base64",
		    strerror(errno));
		try_mount("tmpfs", OUTDIR, "tmpfs", NULL, 0);
	}

	/* Host programs staged by testbed.sh --with-tool (dynamically linked;
	 * the loader and library paths are symlinks into the share). The page
	 * cache may keep what it read: the share is read-only and ~250 MB of
	 * libraries would otherwise go over 9p again on every exec. */
	if (stat(TOOLSDIR, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (mount("tools", TOOLSDIR, "9p", MS_RDONLY,
			  "trans=virtio,version=9p2000.L,msize=262144,cache=loose") == 0) {
			say("tools dir %s: 9p share 'tools'", TOOLSDIR);
			setenv("PATH", TOOLSDIR "/bin:/kvmscope:/bin:/sbin", 1);
		} else {
			say("9p mount of 'tools' failed: %s", strerror(errno));
		}
	}

	const char *kvm_mode = klog_kvm_lines();
	if (kvm_mode) {
		say("kvm mode: %s", kvm_mode);
		setenv("KVMSCOPE_KVM_MODE", kvm_mode, 1);
	}

	if (stat("/dev/kvm", &st) == 0 && S_ISCHR(st.st_mode))
		say("/dev/kvm present (char %u:%u)", major(st.st_rdev),
		    minor(st.st_rdev));
	else
		say("/dev/kvm MISSING");
	/* Gunyah's own VM interface (tests/qemu-gunyah loads its driver) */
	if (stat("/dev/gunyah", &st) == 0 && S_ISCHR(st.st_mode))
		say("/dev/gunyah present (char %u:%u)", major(st.st_rdev),
		    minor(st.st_rdev));

	/* argv[0] is "/init"; the kernel passes whatever followed "--" on its
	 * command line as argv[1..], preceded by any bare words it did not
	 * recognise before "--".  testbed.sh puts ARGV_MARK first after "--"
	 * so those strays can be told apart and dropped. */
	int first = 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], ARGV_MARK)) {
			for (int j = 1; j < i; j++)
				say("ignoring stray kernel command line word '%s'",
				    argv[j]);
			first = i + 1;
			break;
		}
	char **pargv = calloc(argc + 2, sizeof *pargv);
	int pargc = 0;
	pargv[pargc++] = PROG;
	for (int i = first; i < argc; i++)
		pargv[pargc++] = argv[i];
	pargv[pargc] = NULL;

	if (chdir(OUTDIR) != 0)
		say("chdir %s: %s", OUTDIR, strerror(errno));
	double t0 = uptime();
	say("running %s (%d args) at %.3f s uptime", PROG, pargc - 1, t0);
	pid_t pid = fork();
	if (pid == 0) {
		execv(PROG, pargv);
		fprintf(stderr, "kvmscope-init: exec %s: %s\n", PROG,
			strerror(errno));
		_exit(127);
	}
	if (pid > 0) {
		int ws;
		/* kvmscope.sigint_after=S on the kernel command line: Ctrl-C
		 * the program after S seconds (the interrupted-run tests). */
		double sigint_after = cmdline_number("kvmscope.sigint_after=");
		if (sigint_after > 0) {
			while (waitpid(pid, &ws, WNOHANG) == 0) {
				if (uptime() - t0 >= sigint_after) {
					say("sending SIGINT to the program after %.1f s",
					    uptime() - t0);
					kill(pid, SIGINT);
					break;
				}
				usleep(20000);
			}
		}
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(ws))
			status = WEXITSTATUS(ws);
		else if (WIFSIGNALED(ws))
			status = 128 + WTERMSIG(ws);
	} else {
		say("fork: %s", strerror(errno));
	}
	say("program finished in %.3f s", uptime() - t0);

	sync();
	if (via9p)
		umount(OUTDIR);
	else
		dump_tree(OUTDIR, "");
	printf("KVMSCOPE-EXIT-STATUS=%d\n", status);
	fflush(stdout);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
