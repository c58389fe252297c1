/*
 * Win32 layer: processes for guest-exec.  Output is read by one thread
 * per captured stream and input written by another, so a child that fills
 * a pipe never blocks the agent.  The process record is freed by whoever
 * lets go of it last (the agent or one of those threads).
 */
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

struct stream_buf {
    unsigned char *data;
    size_t len, cap;
    bool truncated;
};

struct proc {
    volatile LONG refs;
    HANDLE process;
    HANDLE threads[3];
    int nthreads;
    CRITICAL_SECTION lock;
    struct stream_buf out, err;
    unsigned char *input;
    size_t input_len;
};

struct pipe_job {
    struct proc *p;
    HANDLE pipe;
    struct stream_buf *buf; /* NULL: write the input */
};

/* Drops one reference; the last one frees the record. */
static void release(struct proc *p)
{
    if (InterlockedDecrement(&p->refs) == 0) {
        DeleteCriticalSection(&p->lock);
        ga_free(p->out.data);
        ga_free(p->err.data);
        ga_free(p->input);
        ga_free(p);
    }
}

/* Appends captured bytes, keeping at most GA_EXEC_MAX_OUTPUT. */
static void keep_output(struct proc *p, struct stream_buf *b, const unsigned char *d, size_t n)
{
    EnterCriticalSection(&p->lock);
    if (b->len + n > GA_EXEC_MAX_OUTPUT) {
        n = GA_EXEC_MAX_OUTPUT - b->len;
        b->truncated = true;
    }
    if (n && b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        unsigned char *nd = ga_realloc(b->data, cap);
        if (nd) {
            b->data = nd;
            b->cap = cap;
        } else {
            n = 0;
            b->truncated = true;
        }
    }
    memcpy(b->data + b->len, d, n);
    b->len += n;
    LeaveCriticalSection(&p->lock);
}

/* Thread: drains one output pipe, or writes the input and closes it. */
static DWORD WINAPI pipe_thread(void *arg)
{
    struct pipe_job *job = arg;
    struct proc *p = job->p;
    if (job->buf) {
        unsigned char chunk[1024];
        DWORD n;
        while (ReadFile(job->pipe, chunk, sizeof(chunk), &n, NULL) && n) {
            keep_output(p, job->buf, chunk, n);
        }
    } else {
        size_t done = 0;
        DWORD n;
        while (done < p->input_len &&
               WriteFile(job->pipe, p->input + done,
                         (DWORD)(p->input_len - done > 65536 ? 65536 : p->input_len - done), &n,
                         NULL) &&
               n) {
            done += n;
        }
    }
    CloseHandle(job->pipe);
    ga_free(job);
    release(p);
    return 0;
}

/* Appends s to the command line, quoted as CommandLineToArgvW parses it. */
static void quote_arg(struct gw *cl, const char *s)
{
    bool plain = *s != 0;
    for (const char *c = s; *c; c++) {
        if (*c == ' ' || *c == '\t' || *c == '"' || *c == '\n' || *c == '\v') {
            plain = false;
        }
    }
    if (cl->len) {
        gw_raw(cl, " ", 1);
    }
    if (plain) {
        gw_raw(cl, s, strlen(s));
        return;
    }
    gw_raw(cl, "\"", 1);
    for (const char *c = s;; c++) {
        size_t slashes = 0;
        while (*c == '\\') {
            slashes++, c++;
        }
        /* Backslashes are doubled before a quote and the closing quote. */
        size_t times = (*c == '"' || !*c) ? 2 * slashes : slashes;
        for (size_t i = 0; i < times; i++) {
            gw_raw(cl, "\\", 1);
        }
        if (!*c) {
            break;
        }
        if (*c == '"') {
            gw_raw(cl, "\\", 1);
        }
        gw_raw(cl, c, 1);
    }
    gw_raw(cl, "\"", 1);
}

/* A UTF-16 environment block from "NAME=value" strings, or NULL. */
static WCHAR *env_block(const char *const *envp)
{
    size_t total = 1;
    for (const char *const *e = envp; *e; e++) {
        total += (size_t)MultiByteToWideChar(CP_UTF8, 0, *e, -1, NULL, 0);
    }
    WCHAR *b = ga_alloc(total * sizeof(WCHAR));
    size_t o = 0;
    for (const char *const *e = envp; b && *e; e++) {
        o += (size_t)MultiByteToWideChar(CP_UTF8, 0, *e, -1, b + o, (int)(total - o));
    }
    return b;
}

/* Starts a thread for job; false (job freed, reference dropped) on failure. */
static bool start_pipe_thread(struct proc *p, HANDLE pipe, struct stream_buf *buf)
{
    struct pipe_job *job = ga_alloc(sizeof(*job));
    if (!job) {
        CloseHandle(pipe);
        return false;
    }
    job->p = p;
    job->pipe = pipe;
    job->buf = buf;
    InterlockedIncrement(&p->refs);
    HANDLE t = CreateThread(NULL, 64 * 1024, pipe_thread, job, 0, NULL);
    if (!t) {
        CloseHandle(pipe);
        ga_free(job);
        release(p);
        return false;
    }
    p->threads[p->nthreads++] = t;
    return true;
}

/* An inheritable pipe; *ours is the end the agent keeps (not inherited). */
static bool make_pipe(HANDLE *ours, HANDLE *theirs, bool child_reads)
{
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    HANDLE r, w;
    if (!CreatePipe(&r, &w, &sa, 0)) {
        return false;
    }
    *ours = child_reads ? w : r;
    *theirs = child_reads ? r : w;
    SetHandleInformation(*ours, HANDLE_FLAG_INHERIT, 0);
    return true;
}

/* Start a process with quoted arguments and pipes for its input and output. */
bool ga_os_exec_start(const struct ga_exec_req *req, void **out_proc, int64_t *pid,
                      struct ga_err *err)
{
    struct gw cl;
    gw_init(&cl, 32767 * 3);
    quote_arg(&cl, req->path);
    for (const char *const *a = req->argv; *a; a++) {
        quote_arg(&cl, *a);
    }
    WCHAR *cmdline = cl.failed ? NULL : ga_wide(cl.buf);
    gw_free(&cl);
    if (!cmdline) {
        return ga_error(err, "command line too long or not valid UTF-8");
    }
    WCHAR *env = req->envp ? env_block(req->envp) : NULL;
    struct proc *p = ga_alloc(sizeof(*p));
    if (!p || (req->envp && !env)) {
        ga_free(cmdline);
        ga_free(env);
        ga_free(p);
        return ga_error(err, "out of memory");
    }
    p->refs = 1;
    InitializeCriticalSection(&p->lock);
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    HANDLE nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
    HANDLE in_ours = NULL, in_child = nul, out_ours = NULL, out_child = nul, err_ours = NULL,
           err_child = nul;
    bool ok = true;
    if (req->input_len) {
        p->input = ga_alloc(req->input_len);
        ok = p->input && make_pipe(&in_ours, &in_child, true);
        if (p->input) {
            memcpy(p->input, req->input, req->input_len);
            p->input_len = req->input_len;
        }
    }
    if (ok && req->capture) {
        ok = make_pipe(&out_ours, &out_child, false) && make_pipe(&err_ours, &err_child, false);
    }
    DWORD code = GetLastError();
    PROCESS_INFORMATION pi;
    memset(&pi, 0, sizeof(pi));
    if (ok) {
        STARTUPINFOW si;
        memset(&si, 0, sizeof(si));
        si.cb = sizeof(si);
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdInput = in_child;
        si.hStdOutput = out_child;
        si.hStdError = err_child;
        ok = CreateProcessW(NULL, cmdline, NULL, NULL, TRUE,
                            CREATE_NO_WINDOW | (env ? CREATE_UNICODE_ENVIRONMENT : 0), env, NULL,
                            &si, &pi);
        code = GetLastError();
    }
    /* The child's ends belong to the child now (or to nobody). */
    HANDLE child_ends[3] = {in_child, out_child, err_child};
    for (int i = 0; i < 3; i++) {
        if (child_ends[i] != nul) {
            CloseHandle(child_ends[i]);
        }
    }
    if (nul != INVALID_HANDLE_VALUE) {
        CloseHandle(nul);
    }
    ga_free(cmdline);
    ga_free(env);
    if (!ok) {
        if (in_ours) {
            CloseHandle(in_ours);
        }
        if (out_ours) {
            CloseHandle(out_ours);
        }
        if (err_ours) {
            CloseHandle(err_ours);
        }
        release(p);
        return ga_win_error(err, code);
    }
    CloseHandle(pi.hThread);
    p->process = pi.hProcess;
    if (in_ours) {
        start_pipe_thread(p, in_ours, NULL);
    }
    if (out_ours) {
        start_pipe_thread(p, out_ours, &p->out);
    }
    if (err_ours) {
        start_pipe_thread(p, err_ours, &p->err);
    }
    *pid = pi.dwProcessId;
    *out_proc = p;
    return true;
}

/* Whether a process has exited and its output has all been read. */
void ga_os_exec_poll(void *proc, struct ga_exec_state *st)
{
    struct proc *p = proc;
    if (WaitForSingleObject(p->process, 0) != WAIT_OBJECT_0) {
        return;
    }
    /* Exited, and its output all read (the pipes closed). */
    if (p->nthreads &&
        WaitForMultipleObjects((DWORD)p->nthreads, p->threads, TRUE, 0) != WAIT_OBJECT_0) {
        return;
    }
    DWORD code = 0;
    GetExitCodeProcess(p->process, &code);
    st->exited = true;
    st->exitcode = (int64_t)code;
    st->out = p->out.data;
    st->out_len = p->out.len;
    st->out_truncated = p->out.truncated;
    st->errout = p->err.data;
    st->err_len = p->err.len;
    st->err_truncated = p->err.truncated;
}

/* End a process the agent started. */
void ga_os_exec_kill(void *proc)
{
    TerminateProcess(((struct proc *)proc)->process, 1);
}

/* Free a process's handles and buffers. */
void ga_os_exec_free(void *proc)
{
    struct proc *p = proc;
    for (int i = 0; i < p->nthreads; i++) {
        CloseHandle(p->threads[i]);
    }
    CloseHandle(p->process);
    release(p);
}
