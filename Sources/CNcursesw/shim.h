#ifndef SKYLIGHT_NCURSESW_SHIM_H
#define SKYLIGHT_NCURSESW_SHIM_H

/* SwiftPM drops pkg-config's compile flags, so ask for the wide-character API here. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#define NCURSES_WIDECHAR 1
#include <errno.h>
#include <sys/mman.h>
#include <termios.h>
#include <locale.h>
#include <wchar.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <curses.h>

/* Opens the terminal as `type` (NULL: $TERM). NULL when this machine has no terminfo entry
   for it: initscr() would print and exit instead, leaving no way to try another type. */
static inline WINDOW *skylight_open_terminal(const char *type) {
    return newterm(type, stdout, stdin) != NULL ? stdscr : NULL;
}

/* Whether the terminal opened can move the cursor: one that cannot (TERM=dumb, an editor's shell
   buffer) gets a clear message instead of screens of text run together. */
static inline int skylight_can_address_cursor(void) {
    char *cup = tigetstr("cup");
    return cup != NULL && cup != (char *)-1;
}

/* Macros and globals Swift cannot import cleanly under strict concurrency. */
static inline WINDOW *skylight_stdscr(void) { return stdscr; }
static inline WINDOW *skylight_curscr(void) { return curscr; }
static inline int skylight_colors(void) { return COLORS; }
static inline int skylight_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t skylight_attr_bold(void) { return A_BOLD; }
static inline attr_t skylight_attr_dim(void) { return A_DIM; }
static inline attr_t skylight_attr_italic(void) { return A_ITALIC; }
static inline attr_t skylight_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t skylight_attr_reverse(void) { return A_REVERSE; }

/* Draws one grapheme (a base and up to four zero-width characters) with an extended pair. */
static inline int skylight_put(WINDOW *w, int y, int x, const wchar_t *text, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(w, y, x, &cell);
}

/* Draws a run of characters in one style: one call instead of one per cell. */
static inline int skylight_put_run(WINDOW *w, int y, int x, const wchar_t *text, int n, attr_t attrs, int pair) {
    if (wattr_set(w, attrs, (short)pair, &pair) != OK) return ERR;
    int r = mvwaddnwstr(w, y, x, text, n);
    wattr_set(w, 0, 0, NULL);
    return r;
}

/* The width the C library (and so ncurses) gives one character. */
static inline int skylight_wcwidth(int c) { return wcwidth((wchar_t)c); }

/* Signals arrive on a pipe, so the main loop sees them between two frames. */
static int skylight_signal_fd = -1;
/* Signals that end the inbox (all but SIGWINCH), counted as they come: an editor running
   meanwhile can be told apart as cut off (the SSH link dropped) rather than quit. */
static volatile sig_atomic_t skylight_ending_signal_count = 0;
static inline int skylight_ending_signals(void) { return skylight_ending_signal_count; }
static void skylight_signal_to_pipe(int sig) {
    unsigned char b = (unsigned char)sig;
    if (sig != SIGWINCH) skylight_ending_signal_count++;
    if (skylight_signal_fd >= 0) { ssize_t r = write(skylight_signal_fd, &b, 1); (void)r; }
}
/* Sets what a signal does (a handler, SIG_IGN or SIG_DFL), keeping the previous action. */
static inline int skylight_set_handler(int sig, void (*handler)(int), struct sigaction *previous) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(sig, &sa, previous);
}
static inline int skylight_install(int sig, void (*handler)(int), int fd, struct sigaction *previous) {
    skylight_signal_fd = fd;
    return skylight_set_handler(sig, handler, previous);
}
static inline void skylight_route_signal(int sig, int fd) { skylight_install(sig, skylight_signal_to_pipe, fd, NULL); }

/* A resize must wake the main loop's poll(), but SIGWINCH goes to whichever thread does not
   block it (the SDK's and the sandbox's threads included), and then only ncurses' flag is set.
   This handler runs ncurses' own, then writes to the signal pipe. */
static void (*skylight_ncurses_winch)(int) = 0;
static void skylight_winch_to_pipe(int sig) {
    if (skylight_ncurses_winch) skylight_ncurses_winch(sig);
    skylight_signal_to_pipe(sig);
}
static inline void skylight_route_resize(int fd) {
    struct sigaction previous;
    memset(&previous, 0, sizeof previous);
    if (skylight_install(SIGWINCH, skylight_winch_to_pipe, fd, &previous) == 0 && !(previous.sa_flags & SA_SIGINFO)
        && previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != skylight_winch_to_pipe)
        skylight_ncurses_winch = previous.sa_handler;
}

/* The terminal's size as the kernel has it, to check ncurses' own view after a burst of
   resizes. */
static inline int skylight_terminal_size(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/* ncurses 6.4 flushes after every cursor movement, so one frame leaves as dozens of small
   writes. During doupdate() its output goes to a memory file instead, and reaches the terminal
   in one write. */
static int skylight_spool_fd = -1;
static int skylight_tty_fd = -1;
static inline void skylight_spool_open(void) {
    skylight_spool_fd = (int)syscall(SYS_memfd_create, "skylight-frame", 1u /* MFD_CLOEXEC */);
    skylight_tty_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    if (skylight_spool_fd < 0 || skylight_tty_fd < 0) {
        if (skylight_spool_fd >= 0) close(skylight_spool_fd);
        if (skylight_tty_fd >= 0) close(skylight_tty_fd);
        skylight_spool_fd = skylight_tty_fd = -1;
    }
}
static inline int skylight_write_all(int fd, const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t n = write(fd, bytes, count);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        bytes += n; count -= (size_t)n;
    }
    return 0;
}
static inline int skylight_doupdate(void) {
    if (skylight_spool_fd < 0) return doupdate();
    dup2(skylight_spool_fd, STDOUT_FILENO);
    int result = doupdate();
    dup2(skylight_tty_fd, STDOUT_FILENO);
    off_t size = lseek(skylight_spool_fd, 0, SEEK_CUR);
    static char buffer[1 << 16];
    for (off_t at = 0; at < size;) {
        size_t want = (size_t)(size - at) < sizeof buffer ? (size_t)(size - at) : sizeof buffer;
        ssize_t n = pread(skylight_spool_fd, buffer, want, at);
        if (n <= 0) break;
        if (skylight_write_all(STDOUT_FILENO, buffer, (size_t)n) != 0) break;
        at += n;
    }
    /* The next frame overwrites from the start; only its own length is ever read back. */
    lseek(skylight_spool_fd, 0, SEEK_SET);
    return result;
}

/* While a child has the terminal (the editor), Ctrl-C and Ctrl-\ are its own: the inbox
   ignores them meanwhile, as system() does, and Ctrl-Z stops it plainly. (Spawning happens
   in Swift: spawn.h here would give fd_set a second definition under _XOPEN_SOURCE, which a
   clean build refuses.) */
static inline struct sigaction *skylight_saved_interrupts(void) {
    static struct sigaction saved[3];
    return saved;
}
static inline void skylight_hand_interrupts_to_child(void) {
    skylight_set_handler(SIGINT, SIG_IGN, &skylight_saved_interrupts()[0]);
    skylight_set_handler(SIGQUIT, SIG_IGN, &skylight_saved_interrupts()[1]);
    /* The editor's own Ctrl-Z stops the whole group: the inbox just stops too. ncurses' handler
       would resume curses on the way back, so the screen came back without the alternate
       screen and the inbox was left drawn over the shell when it quit. */
    skylight_set_handler(SIGTSTP, SIG_DFL, &skylight_saved_interrupts()[2]);
}
static inline void skylight_take_interrupts_back(void) {
    sigaction(SIGINT, &skylight_saved_interrupts()[0], NULL);
    sigaction(SIGQUIT, &skylight_saved_interrupts()[1], NULL);
    sigaction(SIGTSTP, &skylight_saved_interrupts()[2], NULL);
}
extern char **environ;
static inline char **skylight_environment(void) { return environ; }

/* The parent of `pid`, from /proc; -1 if unknown. */
static inline pid_t skylight_parent_of(pid_t pid) {
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "r");
    if (!file) return -1;
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = 0;
    char *end = strrchr(text, ')');  /* the name in parentheses may hold spaces */
    char state;
    int parent;
    return end && sscanf(end + 1, " %c %d", &state, &parent) == 2 ? (pid_t)parent : -1;
}

/* Whether a job-control shell looks after the inbox's process group: one of its parents sits in
   another group of the same session. Otherwise the kernel drops a stop from Ctrl-Z, since
   nothing could ever continue the group. */
static inline int skylight_can_suspend(void) {
    pid_t group = getpgrp(), session = getsid(0);
    pid_t pid = getpid();
    for (int depth = 0; depth < 64 && pid > 1; depth++) {
        pid_t parent = skylight_parent_of(pid);
        if (parent <= 0) return 0;
        if (getpgid(parent) != group) return getsid(parent) == session;
        pid = parent;
    }
    return 0;
}

/* Stops the inbox as Ctrl-Z stops a program in a cooked terminal, and returns once the shell
   continues it (fg); ask skylight_can_suspend first. The stop may land a moment after kill()
   returns, on any thread, so this waits for SIGCONT's mark. */
static volatile sig_atomic_t skylight_continued = 0;
static void skylight_note_continue(int sig) { (void)sig; skylight_continued = 1; }
static inline void skylight_suspend(void) {
    struct sigaction previous_stop, previous_continue;
    skylight_continued = 0;
    skylight_set_handler(SIGTSTP, SIG_DFL, &previous_stop);
    skylight_set_handler(SIGCONT, skylight_note_continue, &previous_continue);
    kill(0, SIGTSTP);  /* the whole group, as the terminal would */
    for (int waited = 0; waited < 300 && !skylight_continued; waited++) usleep(10 * 1000);
    sigaction(SIGTSTP, &previous_stop, NULL);
    sigaction(SIGCONT, &previous_continue, NULL);
}

/* What gives the terminal back after a crash, prepared while all is well: the handler may run
   on any thread, even in the middle of a frame, where ncurses' own endwin() cannot be trusted.
   (Initialised, so that the definitions are emitted where Swift imports them. Each Swift file
   of a debug build has its own copy of these statics, so one file calls everything that uses
   them: skylight_restore_on_crash, skylight_spool_open, skylight_prepare_crash_restore.) */
static struct termios skylight_shell_mode = {0};
static int skylight_shell_mode_saved = 0;
static char skylight_restore_bytes[256] = {0};
static size_t skylight_restore_length = 0;

/* Keeps the terminal's modes as the shell left them; call before ncurses changes them. */
static inline void skylight_save_shell_mode(void) {
    skylight_shell_mode_saved = tcgetattr(STDOUT_FILENO, &skylight_shell_mode) == 0;
}

/* Appends a terminfo string without its padding ($<2>): written out as it is, the padding is
   text on the screen, and no terminal needs the delay now. Returns 0 when it does not fit. */
static inline int skylight_append_unpadded(char *to, size_t *length, size_t size, const char *capability) {
    if (capability == NULL || capability == (char *)-1) return 1;
    size_t n = *length;
    for (const char *p = capability; *p; p++) {
        const char *end = p[0] == '$' && p[1] == '<' ? strchr(p, '>') : NULL;
        if (end) { p = end; continue; }
        if (n + 1 >= size) return 0;
        to[n++] = *p;
    }
    to[n] = 0;
    *length = n;
    return 1;
}

/* On a terminal with no alternate screen (a Linux console, vt100, a serial line), what the inbox
   drew stays when it lets go: customers' names, numbers and messages in view at the shell, whose
   prompt lands on the status bar. So leaving clears it, cursor home, as `clear` does; this
   returns those bytes, or "" where leaving the alternate screen is enough. */
static inline const char *skylight_clear_on_leaving(void) {
    static char bytes[64];
    size_t length = 0;
    bytes[0] = 0;
    const char *leave = tigetstr("rmcup");
    if (leave != NULL && leave != (char *)-1 && *leave) return bytes;
    if (!skylight_append_unpadded(bytes, &length, sizeof bytes, tigetstr("clear"))) bytes[0] = 0;
    return bytes;
}

/* Spells out, once curses is up, what endwin() would send: modes off, colours and cursor back,
   the alternate screen left (or the screen cleared, where there is none). */
static inline void skylight_prepare_crash_restore(void) {
    const char *parts[] = { "\033[?2004l\033[?1004l", tigetstr("sgr0"), tigetstr("cnorm"), tigetstr("rmcup"),
                            skylight_clear_on_leaving() };
    size_t length = 0;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!skylight_append_unpadded(skylight_restore_bytes, &length, sizeof skylight_restore_bytes, parts[i])) break;
    }
    skylight_restore_length = length;
}

/* On a crash, give the terminal back before the default action runs: only write() and
   tcsetattr(), which are safe in a signal handler. */
static void skylight_crash_handler(int sig) {
    int fd = skylight_tty_fd >= 0 ? skylight_tty_fd : STDOUT_FILENO;
    if (skylight_restore_length > 0) {
        ssize_t r = write(fd, skylight_restore_bytes, skylight_restore_length);
        (void)r;
        if (skylight_shell_mode_saved) tcsetattr(fd, TCSANOW, &skylight_shell_mode);
    } else {
        if (skylight_tty_fd >= 0) dup2(skylight_tty_fd, STDOUT_FILENO);
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}
/* A stack overflow leaves no stack to run the handler on: this thread gets a spare one,
   kept for the life of the process. */
static inline void skylight_restore_on_crash(void) {
    skylight_save_shell_mode();
    stack_t spare;
    memset(&spare, 0, sizeof spare);
    spare.ss_size = 64 * 1024;
    /* Mapped, not from the heap: a block held for good in the heap would keep it from shrinking. */
    spare.ss_sp = mmap(NULL, spare.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (spare.ss_sp != MAP_FAILED) sigaltstack(&spare, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = skylight_crash_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK;
    int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) sigaction(fatal[i], &sa, NULL);
}

#endif
