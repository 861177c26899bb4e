// SPDX-License-Identifier: BSD-2-Clause
/*
 * The UI's loop and the terminal: curses set-up and teardown on every exit
 * path, signals, input, the refresh clock, and the batch mode.
 *
 * The loop pumps the source every few milliseconds (the ring buffer must
 * not fill while we wait for keys), draws once per refresh interval and
 * after each burst of keys. Drawing erases and redraws the whole frame;
 * curses sends only the cells that changed.
 */
#define _GNU_SOURCE
#include "tui.h"
#include "clock.h"
#include "terminfo.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "batch.h"
#include "filter.h"
#include "model.h"
#include "theme.h"
#include "views.h"

#define PUMP_MS 10 /* longest wait for keys between two pumps */

/* ---- what signal handlers and atexit need: process-wide by nature --------- */

static volatile sig_atomic_t quit_sig;
static volatile sig_atomic_t curses_on;
static struct sigaction old_int, old_term, old_hup;
static struct termios saved_tio;
static bool have_tio;
static char restore_seq[256];
static size_t restore_len;
/* Our stderr goes to a memory file while curses owns the terminal. */
static int saved_stderr = -1, err_file = -1;

static void chain(int sig, const struct sigaction *old)
{
	if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL &&
	    old->sa_handler != SIG_IGN)
		old->sa_handler(sig);
}

/* Quit, and let the tracer's own handler see the signal too: it detaches or forwards it. */
static void on_quit(int sig)
{
	quit_sig = sig;
	chain(sig, sig == SIGINT ? &old_int : sig == SIGTERM ? &old_term : &old_hup);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Give stderr back, with what was written to it meanwhile. Async-signal-safe. */
static void restore_stderr(void)
{
	char buf[4096];
	ssize_t n;
	off_t off = 0;

	if (saved_stderr < 0)
		return;
	dup2(saved_stderr, 2);
	close(saved_stderr);
	saved_stderr = -1;
	if (err_file < 0)
		return;
	while ((n = pread(err_file, buf, sizeof(buf), off)) > 0) {
		write_all(2, buf, (size_t)n);
		off += n;
	}
	close(err_file);
	err_file = -1;
}

/*
 * A crash with curses up: endwin is not async-signal-safe, so restore the
 * terminal the way it would, from what was prepared at start-up (the
 * shell's termios, the terminfo strings leaving the alternate screen),
 * then die of the same signal.
 */
static void on_crash(int sig)
{
	if (curses_on) {
		write_all(1, restore_seq, restore_len);
		if (have_tio)
			tcsetattr(0, TCSADRAIN, &saved_tio);
		curses_on = 0;
	}
	restore_stderr();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	restore_stderr();
}

static void add_cap(const char *name)
{
	char *s = tigetstr(name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

static void install_signals(void)
{
	static const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa = {.sa_handler = on_quit};
	size_t i;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(crash) / sizeof(crash[0]); i++)
		sigaction(crash[i], &sa, NULL);
}

static void restore_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
}

/* Event clock + offset = wall clock: the live event clock is CLOCK_MONOTONIC. */
static int64_t wall_offset(void)
{
	struct timespec rt, mt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	return ((int64_t)rt.tv_sec - (int64_t)mt.tv_sec) * 1000000000ll +
	       ((int64_t)rt.tv_nsec - (int64_t)mt.tv_nsec);
}

/* ---- options ---------------------------------------------------------------- */

static int sort_by_name(const char *s)
{
	static const char *const names[TUI_SORT_N] = {
		[TUI_SORT_CPU] = "cpu",	  [TUI_SORT_AGE] = "age",	[TUI_SORT_STATE] = "state",
		[TUI_SORT_GOID] = "goid", [TUI_SORT_ALLOCS] = "allocs", [TUI_SORT_FUNC] = "func",
	};
	int i;

	for (i = 0; i < TUI_SORT_N; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	if (!strcasecmp(s, "gid"))
		return TUI_SORT_GOID;
	if (!strcasecmp(s, "function"))
		return TUI_SORT_FUNC;
	return -1;
}

int tui__validate(const struct tui_opts *opts, char *err, size_t err_len)
{
	struct filter f = {0};
	char ferr[256];

	if (opts->delay && (opts->delay < 0.1 || opts->delay > 3600)) {
		snprintf(err, err_len, "-d %g: the refresh interval is 0.1 to 3600 seconds",
			 opts->delay);
		return -EINVAL;
	}
	if (opts->colors && strcmp(opts->colors, "256") && strcmp(opts->colors, "16") &&
	    strcmp(opts->colors, "8") && strcmp(opts->colors, "mono")) {
		snprintf(err, err_len, "--colors %s: use 256, 16, 8 or mono", opts->colors);
		return -EINVAL;
	}
	if (opts->sort && sort_by_name(opts->sort) < 0) {
		snprintf(err, err_len, "--sort %s: use cpu, age, state, goid, allocs or func",
			 opts->sort);
		return -EINVAL;
	}
	if (opts->filter) {
		if (filter__parse(&f, opts->filter, ferr, sizeof(ferr))) {
			snprintf(err, err_len, "--filter '%s': %s", opts->filter, ferr);
			return -EINVAL;
		}
		filter__clear(&f);
	}
	return 0;
}

static void apply_options(struct tui_model *m, const struct tui_opts *opts)
{
	char err[256];

	if (opts->sort)
		model__set_sort(m, (enum tui_sort)sort_by_name(opts->sort), false);
	if (opts->filter)
		model__set_filter(m, opts->filter, err, sizeof(err));
}

/* ---- batch mode --------------------------------------------------------------- */

static int run_batch(const struct xg_source *src, const struct tui_opts *opts)
{
	double delay = opts->delay > 0 ? opts->delay : 1.0;
	struct tui_model m;
	unsigned int i;
	int rc = 0, err = 0;
	struct sigaction sa = {.sa_handler = on_quit};

	model__init(&m, src, delay);
	apply_options(&m, opts);
	m.wall_off = wall_offset();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	model__refresh(&m);
	model__sample_meters(&m);
	for (i = 0; i < opts->batch && !quit_sig; i++) {
		uint64_t until = xg_mono_ns() + (uint64_t)(delay * 1e9), now;

		while (!m.ended && !quit_sig && (now = xg_mono_ns()) < until) {
			uint64_t left = (until - now) / 1000000;

			rc = src->ops->pump(src->ctx, left < 50 ? (int)left : 50);
			if (rc < 0) {
				err = rc;
				goto out;
			}
			if (rc == 1)
				model__set_ended(&m);
		}
		if (!m.ended)
			model__sample_meters(&m);
		model__refresh(&m);
		if (model__rows(&m)) {
			err = -ENOMEM;
			goto out;
		}
		model__order(&m, 0, m.n_rows);
		err = batch__snapshot(stdout, &m);
		if (err) {
			/* Closed, full or gone (| head): a snapshot not written is not done. */
			fprintf(stderr, "xgotop-tui: cannot write the snapshots to stdout: %s\n",
				strerror(-err));
			goto out;
		}
		if (m.ended)
			break;
	}
out:
	if (quit_sig && !m.ended)
		src->ops->pump(src->ctx, 0); /* the tracer acts on the signal */
	restore_signals();
	model__free(&m);
	return err ? -ECANCELED : 0;
}

/* ---- the terminal ------------------------------------------------------------ */

struct term_ui {
	SCREEN *scr;
	WINDOW *win;
	struct tui_theme theme;
	uint64_t err_seen; /* bytes of err_file already shown */
};

static int term_start(struct term_ui *t, const struct tui_opts *opts)
{
	const char *term = getenv("TERM");
	enum tui_scheme scheme;

	if (!term || !*term) {
		fprintf(stderr, "xgotop-tui: TERM is not set: set it, or use -n N for text "
				"snapshots\n");
		return -ENOTTY;
	}
	/* Characters only: numbers in the JSONL output must keep their dot. */
	setlocale(LC_CTYPE, "");
	have_tio = tcgetattr(0, &saved_tio) == 0;
	/* Says why when it fails (an unknown TERM names the built-in ones). */
	t->scr = terminfo__newterm(term, stdout, stdin);
	if (!t->scr)
		return -ENOTTY;
	set_term(t->scr);
	curses_on = 1;
	restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	cbreak();
	noecho();
	nonl();
	curs_set(0);
	set_escdelay(25);
	scheme = theme__detect(opts->colors);
	if (scheme != TUI_SCHEME_MONO && (start_color() == ERR || theme__init_pairs(scheme)))
		scheme = TUI_SCHEME_MONO;
	theme__init(&t->theme, scheme, theme__detect_glyphs(opts->ascii, term));
	t->win = newwin(LINES, COLS, 0, 0);
	if (!t->win)
		return -ENOMEM;
	keypad(t->win, TRUE);
	nodelay(t->win, TRUE);
	return 0;
}

static void term_stop(struct term_ui *t)
{
	if (t->win)
		delwin(t->win);
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	if (t->scr)
		delscreen(t->scr);
	t->scr = NULL;
	t->win = NULL;
}

/* Route stderr to a memory file: a message from below must not scribble on the screen. */
static void capture_stderr(void)
{
	int fd = memfd_create("xgotop-tui-stderr", MFD_CLOEXEC);

	if (fd < 0)
		return;
	saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, 3);
	if (saved_stderr < 0 || dup2(fd, 2) < 0) {
		close(fd);
		if (saved_stderr >= 0)
			close(saved_stderr);
		saved_stderr = -1;
		return;
	}
	err_file = fd;
}

/* The newest complete line written to stderr since the last look, as a status message. */
static void show_new_stderr(struct term_ui *t, struct tui_model *m)
{
	struct stat st;
	char buf[512], *end, *start;
	uint64_t from;
	ssize_t n;

	if (err_file < 0 || fstat(err_file, &st) || (uint64_t)st.st_size <= t->err_seen)
		return;
	from = (uint64_t)st.st_size > sizeof(buf) - 1 ? (uint64_t)st.st_size - (sizeof(buf) - 1)
						      : 0;
	if (from < t->err_seen)
		from = t->err_seen;
	n = pread(err_file, buf, sizeof(buf) - 1, (off_t)from);
	t->err_seen = (uint64_t)st.st_size;
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	end = buf + n;
	start = end;
	while (start > buf && start[-1] != '\n')
		start--;
	if (*start)
		model__message(m, true, "%s", start);
}

static void draw(struct term_ui *t, struct tui_model *m)
{
	frame__draw(t->win, m);
	wnoutrefresh(t->win);
	doupdate();
}

/* The terminal UI's loop state: what one turn of the loop reads and leaves for the next. */
struct run {
	const struct xg_source *src;
	struct term_ui t;
	struct tui_model m;
	uint64_t tick_ns, next_tick;
	bool dirty;   /* draw at the next turn */
	bool pumped;  /* the source was pumped since the model last looked */
	bool lost;    /* the terminal went away */
	bool leaving; /* quitting: waiting for a launched command to end */
	int err;
};

enum turn { TURN_ON, TURN_STOP };

/* Curses up, stderr held, the model's first look. 0, or -ECANCELED (then nothing to undo). */
static int run_start(struct run *r, const struct xg_source *src, const struct tui_opts *opts)
{
	static bool atexit_done;
	double delay = opts->delay > 0 ? opts->delay : 1.0;

	r->src = src;
	r->tick_ns = (uint64_t)(delay * 1e9);
	r->dirty = true;
	model__init(&r->m, src, delay);
	apply_options(&r->m, opts);
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = true;
	}
	install_signals();
	if (term_start(&r->t, opts)) {
		term_stop(&r->t);
		restore_signals();
		model__free(&r->m);
		return -ECANCELED;
	}
	capture_stderr();
	r->m.theme = &r->t.theme;
	r->m.ascii = r->t.theme.glyphset == TUI_GLYPHS_ASCII;
	r->m.wall_off = wall_offset();
	model__refresh(&r->m);
	model__sample_meters(&r->m);
	r->next_tick = xg_mono_ns() + r->tick_ns;
	return 0;
}

/*
 * SIGINT or SIGTERM: a launched command gets the signal from the tracer and
 * is traced to its end; anything else: leave now.
 */
static enum turn on_quit_signal(struct run *r)
{
	if (quit_sig == SIGHUP || r->m.ended || !r->m.info.child_output[0] || r->leaving)
		return TURN_STOP;
	r->leaving = true;
	quit_sig = 0;
	model__message(&r->m, false,
		       "waiting for pid %u to exit (sent the signal; q again: leave now)",
		       r->m.info.pid);
	r->dirty = true;
	return TURN_ON;
}

/* Read what the source has; it may end. */
static enum turn pump(struct run *r)
{
	int rc;

	model__settle(&r->m);
	rc = r->src->ops->pump(r->src->ctx, 0);

	if (rc < 0) {
		r->err = rc;
		return TURN_STOP;
	}
	r->pumped = true;
	model__track(&r->m);
	if (rc == 1) {
		model__set_ended(&r->m);
		r->dirty = true;
		if (r->leaving)
			return TURN_STOP;
	}
	return TURN_ON;
}

/* Once per refresh interval: the meters, the tracer's messages, the clock. */
static void tick(struct run *r, uint64_t t_now)
{
	if (!r->m.ended)
		model__sample_meters(&r->m);
	show_new_stderr(&r->t, &r->m);
	r->m.wall_off = wall_offset();
	r->dirty = true;
	r->next_tick += r->tick_ns;
	if (r->next_tick <= t_now)
		r->next_tick = t_now + r->tick_ns;
}

/* The keys typed: enum tui_redraw flags of them all, up to a quit. */
static int read_keys(struct run *r)
{
	int rd = 0, ch;

	while ((ch = wgetch(r->t.win)) != ERR) {
		if (r->pumped) {
			model__refresh(&r->m);
			r->pumped = false;
		}
		if (ch == KEY_RESIZE)
			wresize(r->t.win, LINES, COLS);
		rd |= tui__key(&r->m, ch);
		if (rd & RD_QUIT)
			break;
	}
	return rd;
}

/*
 * One turn: pump, draw when due, wait for keys (at most PUMP_MS while
 * tracing: the ring buffer must not fill), act on them.
 */
static enum turn run_turn(struct run *r)
{
	struct pollfd pfd = {.fd = 0, .events = POLLIN};
	uint64_t t_now;
	int rd, timeout;

	if (quit_sig && on_quit_signal(r) == TURN_STOP)
		return TURN_STOP;
	if (!r->m.ended && pump(r) == TURN_STOP)
		return TURN_STOP;
	t_now = xg_mono_ns();
	if (t_now >= r->next_tick)
		tick(r, t_now);
	if (r->dirty) {
		if (r->pumped)
			model__refresh(&r->m);
		r->pumped = false;
		draw(&r->t, &r->m);
		r->dirty = false;
	}
	timeout = (int)((r->next_tick - t_now) / 1000000) + 1;
	if (!r->m.ended && timeout > PUMP_MS)
		timeout = PUMP_MS;
	if (poll(&pfd, 1, timeout) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) {
		r->lost = true;
		return TURN_STOP;
	}
	rd = read_keys(r);
	if (rd & RD_QUIT) {
		/* q in launched mode: as Ctrl-C would, let the command end first. */
		if (!r->leaving && !r->m.ended && r->m.info.child_output[0]) {
			raise(SIGINT);
			return TURN_ON;
		}
		return TURN_STOP;
	}
	if (rd & RD_CLEAR)
		clearok(curscr, TRUE);
	if (rd & RD_FRAME)
		r->dirty = true;
	return TURN_ON;
}

static void run_stop(struct run *r)
{
	if (quit_sig && !r->m.ended)
		r->src->ops->pump(r->src->ctx, 0); /* the tracer acts on the signal */
	if (r->lost || quit_sig == SIGHUP) {
		/* No terminal to restore: do not wait on it either. */
		int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
	}
	term_stop(&r->t);
	restore_stderr();
	restore_signals();
	model__free(&r->m);
	quit_sig = 0;
}

int tui__run(const struct xg_source *src, const struct tui_opts *opts)
{
	struct run r = {0};

	if (opts->batch)
		return run_batch(src, opts);
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "xgotop-tui: the terminal UI needs a terminal on stdin and stdout: "
				"use -n N for text snapshots, or --headless\n");
		return -ECANCELED;
	}
	if (run_start(&r, src, opts))
		return -ECANCELED;
	while (run_turn(&r) == TURN_ON)
		;
	run_stop(&r);
	return r.err ? -ECANCELED : 0;
}
