#pragma once
/// Running an external program for a command stage. The child gets its own process
/// group, stdin from /dev/null and stdout+stderr either appended to a log file or
/// captured through a pipe that is read while waiting (a chatty child never blocks on
/// a full pipe). A timeout or a cancellation terminates the whole group — SIGTERM,
/// then SIGKILL after a grace period — so a script's background children die with it;
/// by default the same happens to processes the program leaves behind in its group
/// when it exits. Processes that leave the group (setsid) are not followed.
///
/// Exit is noticed through a pidfd (Linux >= 5.3) the moment it happens; elsewhere
/// by polling in short slices. Every descriptor is close-on-exec and the child closes
/// all descriptors above 2 before exec, so nothing of the parent leaks into it.

#include "orrery/core/errors.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;  // POSIX: the process environment, the base of the child's

namespace orrery::workflow {

struct ProcessSpec {
    std::string program{};                          // a path, or a name looked up on PATH
    std::vector<std::string> args{};                // argv[1..]
    std::map<std::string, std::string> env{};       // set/override in the child
    bool inherit_environment = true;                // false: only `env` (plus nothing else)
    std::filesystem::path cwd{};                    // empty: the current directory
    std::filesystem::path log_file{};               // stdout+stderr appended here (created with parents); empty: captured into ProcessResult::output
                                                    // (a relative cwd or log_file starts at this process's directory)
    std::optional<std::chrono::milliseconds> timeout{};
    std::chrono::milliseconds kill_grace{2000};     // SIGTERM to the whole process group, then SIGKILL after this
    std::function<bool()> cancelled{};              // polled while waiting; true -> terminate the tree like a timeout
    std::size_t capture_limit = 1 << 20;            // bytes kept in output (the rest dropped, noted)
    bool kill_leftovers = true;                     // after the program exits, what it left running in its group is terminated too
};

struct ProcessResult {
    int exit_code = -1;      // exit status, or 128 + signal number
    int signal = 0;          // the signal that ended it, 0 if it exited
    bool timed_out = false;
    bool cancelled = false;
    std::string output{};    // captured stdout+stderr (when no log_file)
    std::chrono::milliseconds duration{};
    std::size_t output_dropped = 0;         // captured bytes beyond capture_limit, not kept
    std::chrono::milliseconds timeout{};    // the limit that expired, when timed_out
    [[nodiscard]] bool ok() const { return exit_code == 0 && signal == 0 && !timed_out && !cancelled; }
};

namespace detail {

inline std::string errno_message(int error) { return std::error_code(error, std::generic_category()).message(); }

inline bool is_executable_file(const std::filesystem::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

/// POSIX's default search path (confstr _CS_PATH) for a process without PATH.
inline std::string default_search_path() {
    char buf[256] = {};
    const std::size_t n = ::confstr(_CS_PATH, buf, sizeof buf);
    return n > 0 && n <= sizeof buf ? std::string(buf) : std::string("/bin:/usr/bin");
}

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);  // never retried on EINTR: Linux has closed it already
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

/// Whether a process other than `leader` in process group `pgid` is still running.
/// Zombies do not count: where init does not reap orphans (containers) a killed
/// grandchild stays a zombie forever. Without /proc nothing can be seen (false):
/// then leftovers are not looked for and termination ends with SIGKILL regardless.
inline bool group_has_others(pid_t pgid, pid_t leader) {
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return false;
    bool found = false;
    while (const dirent* entry = ::readdir(dir)) {
        char* end = nullptr;
        const long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == leader) continue;
        char path[64];
        std::snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        const UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0) continue;
        char buf[512];
        const ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
        if (n <= 0) continue;
        buf[n] = '\0';
        const char* after_name = std::strrchr(buf, ')');  // the command name may hold spaces and parentheses
        char state = 0;
        int ppid = 0, pgrp = 0;
        if (after_name == nullptr || std::sscanf(after_name + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) continue;
        if (pgrp == pgid && state != 'Z' && state != 'X') {
            found = true;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

inline std::string format_seconds(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
    std::string s = buf;
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s + " s";
}

inline const char* signal_name(int sig) {
    switch (sig) {
        case SIGHUP: return "SIGHUP";
        case SIGINT: return "SIGINT";
        case SIGQUIT: return "SIGQUIT";
        case SIGILL: return "SIGILL";
        case SIGTRAP: return "SIGTRAP";
        case SIGABRT: return "SIGABRT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGKILL: return "SIGKILL";
        case SIGUSR1: return "SIGUSR1";
        case SIGSEGV: return "SIGSEGV";
        case SIGUSR2: return "SIGUSR2";
        case SIGPIPE: return "SIGPIPE";
        case SIGALRM: return "SIGALRM";
        case SIGTERM: return "SIGTERM";
        case SIGCHLD: return "SIGCHLD";
        case SIGCONT: return "SIGCONT";
        case SIGSTOP: return "SIGSTOP";
        case SIGTSTP: return "SIGTSTP";
        case SIGTTIN: return "SIGTTIN";
        case SIGTTOU: return "SIGTTOU";
        case SIGURG: return "SIGURG";
        case SIGXCPU: return "SIGXCPU";
        case SIGXFSZ: return "SIGXFSZ";
        case SIGVTALRM: return "SIGVTALRM";
        case SIGPROF: return "SIGPROF";
        case SIGWINCH: return "SIGWINCH";
        case SIGSYS: return "SIGSYS";
        default: return nullptr;
    }
}

/// posix_spawn's two attribute objects, destroyed on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    SpawnSetup() {
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

/// A started child: its pid (also its process group), the read end of its output
/// pipe and a pidfd. The leader is reaped last, so the group id cannot be reused
/// by an unrelated process while signals are sent to it. Destroying an unreaped
/// child (an exception while waiting) kills its group and reaps it.
class RunningChild {
public:
    using clock = std::chrono::steady_clock;

    RunningChild(pid_t pid, UniqueFd output, std::size_t capture_limit)
        : pid_(pid), output_(std::move(output)), capture_limit_(capture_limit) {
#ifdef SYS_pidfd_open
        pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));  // close-on-exec by definition
#endif
        if (output_.get() >= 0) ::fcntl(output_.get(), F_SETFL, ::fcntl(output_.get(), F_GETFL) | O_NONBLOCK);
    }
    ~RunningChild() {
        if (reaped_) return;
        signal_group(SIGKILL);
        reap();
    }
    RunningChild(const RunningChild&) = delete;
    RunningChild& operator=(const RunningChild&) = delete;

    /// Whether the program itself has ended (it stays unreaped until reap()).
    bool leader_exited() {
        if (exited_) return true;
        siginfo_t info{};
        int rc = 0;
        do rc = ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
        while (rc < 0 && errno == EINTR);
        if ((rc == 0 && info.si_pid == pid_) || (rc < 0 && errno == ECHILD)) exited_ = true;
        return exited_;
    }

    /// Waits up to `max_wait` (nullopt: until something happens) for output or the
    /// program's exit, and reads what arrived.
    void wait(std::optional<std::chrono::milliseconds> max_wait) {
        pollfd fds[2] = {};
        nfds_t n = 0;
        if (output_.get() >= 0) fds[n++] = pollfd{output_.get(), POLLIN, 0};
        const bool watch_exit = pidfd_.get() >= 0 && !exited_;
        if (watch_exit) fds[n++] = pollfd{pidfd_.get(), POLLIN, 0};
        int timeout_ms = max_wait ? static_cast<int>(std::max<std::chrono::milliseconds::rep>(max_wait->count(), 0)) : -1;
        if (!watch_exit && !exited_) {  // no pidfd: look again soon, backing off to 20 ms
            timeout_ms = timeout_ms < 0 ? backoff_ms_ : std::min(timeout_ms, backoff_ms_);
            backoff_ms_ = std::min(backoff_ms_ * 2, 20);
        }
        if (::poll(n > 0 ? fds : nullptr, n, timeout_ms) > 0 && output_.get() >= 0 && fds[0].revents != 0) drain();
    }

    /// Reads everything the pipe holds now; closes it at end of file.
    void drain() {
        char buf[65536];
        while (output_.get() >= 0) {
            const ssize_t n = ::read(output_.get(), buf, sizeof buf);
            if (n > 0) {
                const std::size_t room = capture_limit_ > captured_.size() ? capture_limit_ - captured_.size() : 0;
                const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
                captured_.append(buf, keep);
                dropped_ += static_cast<std::size_t>(n) - keep;
            } else if (n == 0) {
                output_.reset();
            } else if (errno != EINTR) {
                if (errno != EAGAIN && errno != EWOULDBLOCK) output_.reset();
                return;
            }
        }
    }

    /// SIGTERM to the group; the program and then the rest of its group get `grace`
    /// to end before SIGKILL. Returns once the group is gone (bounded: a process
    /// stuck in the kernel is not waited for beyond a second after SIGKILL).
    void terminate(std::chrono::milliseconds grace) {
        signal_group(SIGTERM);
        const bool gone = wait_group_gone(clock::now() + grace);
        signal_group(SIGKILL);  // when gone: for what the scan cannot see; the unreaped leader keeps the id ours
        if (!gone) wait_group_gone(clock::now() + std::chrono::seconds(1));
    }

    [[nodiscard]] bool has_leftovers() { return group_has_others(pid_, pid_); }

    /// Waits for the program's status (it has exited or been killed).
    int reap() {
        if (reaped_) return status_;
        int status = 0;
        pid_t rc = 0;
        do rc = ::waitpid(pid_, &status, 0);
        while (rc < 0 && errno == EINTR);
        reaped_ = true;
        status_ = rc == pid_ ? status : -1;
        return status_;
    }

    std::string take_output() { return std::move(captured_); }
    [[nodiscard]] std::size_t dropped() const { return dropped_; }

private:
    void signal_group(int sig) {
        ::kill(-pid_, sig);
        ::kill(pid_, sig);  // in case the program moved itself to another group
    }

    bool wait_group_gone(clock::time_point until) {
        for (;;) {
            if (leader_exited() && !group_has_others(pid_, pid_)) return true;
            const auto now = clock::now();
            if (now >= until) return false;
            wait(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(until - now) + std::chrono::milliseconds(1),
                          std::chrono::milliseconds(exited_ ? 5 : 20)));
        }
    }

    pid_t pid_;
    UniqueFd output_;
    UniqueFd pidfd_;
    std::size_t capture_limit_;
    std::string captured_{};
    std::size_t dropped_ = 0;
    int backoff_ms_ = 1;
    bool exited_ = false;
    bool reaped_ = false;
    int status_ = -1;
};

}  // namespace detail

/// The full path of `name` in the directories of `search_path` (':'-separated, an
/// empty entry is the current directory). A name with '/' is checked as a path.
inline std::optional<std::filesystem::path> find_program(std::string_view name, std::string_view search_path) {
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string_view::npos) {
        std::filesystem::path p{std::string(name)};
        return detail::is_executable_file(p) ? std::optional(p) : std::nullopt;
    }
    for (std::size_t start = 0;;) {
        const std::size_t end = search_path.find(':', start);
        const std::string_view dir = search_path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        auto candidate = (dir.empty() ? std::filesystem::path(".") : std::filesystem::path(std::string(dir))) / std::string(name);
        if (detail::is_executable_file(candidate)) return candidate;
        if (end == std::string_view::npos) return std::nullopt;
        start = end + 1;
    }
}

/// PATH lookup in this process's PATH.
inline std::optional<std::filesystem::path> find_program(std::string_view name) {
    const char* path = std::getenv("PATH");
    return find_program(name, path != nullptr ? std::string(path) : detail::default_search_path());
}

/// The child's environment: this process's (when inherited) with `env` laid over it,
/// sorted by name, so the same spec always gives the same environment.
inline std::map<std::string, std::string> child_environment(const ProcessSpec& spec) {
    std::map<std::string, std::string> merged;
    if (spec.inherit_environment && environ != nullptr) {
        for (char** entry = environ; *entry != nullptr; ++entry) {
            const std::string_view kv(*entry);
            const std::size_t eq = kv.find('=');
            if (eq == std::string_view::npos || eq == 0) continue;
            merged.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));  // first wins, as getenv
        }
    }
    for (const auto& [name, value] : spec.env) merged[name] = value;
    return merged;
}

/// The program a spec runs: a name is looked up on the child's PATH (its `env`
/// override, else this process's PATH); a relative path with '/' starts at `cwd`,
/// as it would for a shell in that directory. Throws StepError when there is none.
inline std::filesystem::path resolve_program(const ProcessSpec& spec) {
    const std::string& program = spec.program;
    const auto fail = [&](const std::string& why) { return StepError("cannot start '" + program + "': " + why); };
    if (program.empty()) throw StepError("cannot start a command: no program given");
    if (program.find('/') == std::string::npos) {
        const auto path_override = spec.env.find("PATH");
        const char* own_path = std::getenv("PATH");
        const std::string search = path_override != spec.env.end() ? path_override->second
                                   : own_path != nullptr           ? std::string(own_path)
                                                                   : detail::default_search_path();
        if (auto found = find_program(program, search)) return *found;
        throw fail("not found on PATH");
    }
    std::filesystem::path path(program);
    if (path.is_relative() && !spec.cwd.empty()) path = spec.cwd / path;
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) throw fail("no such file '" + path.string() + "'");
    if (std::filesystem::is_directory(status)) throw fail("'" + path.string() + "' is a directory");
    if (!detail::is_executable_file(path)) throw fail("'" + path.string() + "' is not executable (chmod +x it, or give its runtime)");
    return path;
}

/// Runs the program and waits for it (see the file comment). Throws StepError,
/// naming the program, when it cannot be started.
inline ProcessResult run_process(const ProcessSpec& spec) {
    using namespace std::chrono;
    const std::string& program = spec.program;
    const auto fail = [&](const std::string& why) { return StepError("cannot start '" + program + "': " + why); };

    if (!spec.cwd.empty()) {
        std::error_code ec;
        const auto status = std::filesystem::status(spec.cwd, ec);
        if (!std::filesystem::exists(status)) throw fail("working directory '" + spec.cwd.string() + "' does not exist");
        if (!std::filesystem::is_directory(status)) throw fail("working directory '" + spec.cwd.string() + "' is not a directory");
    }
    // Absolute: the child changes to `cwd` before exec, where a relative path would mean another file.
    std::error_code absolute_error;
    std::filesystem::path executable = resolve_program(spec);
    if (auto absolute = std::filesystem::absolute(executable, absolute_error); !absolute_error) executable = std::move(absolute);

    // Where the output goes: the log file (appended) or a pipe we read.
    detail::UniqueFd sink, source;
    if (!spec.log_file.empty()) {
        if (spec.log_file.has_parent_path()) {
            std::error_code ec;
            std::filesystem::create_directories(spec.log_file.parent_path(), ec);
            if (ec) throw fail("cannot create the directory of log file '" + spec.log_file.string() + "': " + ec.message());
        }
        int fd = -1;
        do fd = ::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        while (fd < 0 && errno == EINTR);
        if (fd < 0) throw fail("cannot open log file '" + spec.log_file.string() + "': " + detail::errno_message(errno));
        sink = detail::UniqueFd(fd);
    } else {
        int ends[2] = {-1, -1};
        if (::pipe2(ends, O_CLOEXEC) != 0) throw fail("cannot create a pipe: " + detail::errno_message(errno));
        source = detail::UniqueFd(ends[0]);
        sink = detail::UniqueFd(ends[1]);
    }

    detail::SpawnSetup setup;
    ::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&setup.actions, sink.get(), 1);
    ::posix_spawn_file_actions_adddup2(&setup.actions, sink.get(), 2);
    if (!spec.cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str());
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    ::posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);  // also what others opened without O_CLOEXEC
#endif
    // Own process group (the unit that is terminated); no blocked signals; signals
    // this process ignores (SIGPIPE, SIGINT under a shell's `&`) back to default.
    sigset_t no_signals, defaults;
    sigemptyset(&no_signals);
    sigemptyset(&defaults);
    for (const int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGALRM})
        sigaddset(&defaults, sig);
    ::posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    ::posix_spawnattr_setpgroup(&setup.attr, 0);
    ::posix_spawnattr_setsigmask(&setup.attr, &no_signals);
    ::posix_spawnattr_setsigdefault(&setup.attr, &defaults);

    std::string argv0 = executable.string();
    std::vector<std::string> args = spec.args;
    std::vector<char*> argv{argv0.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_entries;
    for (const auto& [name, value] : child_environment(spec)) env_entries.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_entries) envp.push_back(e.data());
    envp.push_back(nullptr);

    const auto start = steady_clock::now();
    pid_t pid = -1;
    if (const int rc = ::posix_spawn(&pid, argv0.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data()); rc != 0)
        throw fail(rc == ENOEXEC ? "'" + argv0 + "' is not a program (a script without a '#!' line? give its runtime)"
                                 : detail::errno_message(rc));
    sink.reset();  // the child holds its copy; EOF comes when every writer is gone

    detail::RunningChild child(pid, std::move(source), spec.capture_limit);
    ProcessResult result;
    const auto deadline = spec.timeout ? start + *spec.timeout : steady_clock::time_point::max();
    while (!child.leader_exited()) {
        if (spec.cancelled && spec.cancelled()) {
            result.cancelled = true;
            break;
        }
        const auto now = steady_clock::now();
        if (spec.timeout && now >= deadline) {
            result.timed_out = true;
            result.timeout = *spec.timeout;
            break;
        }
        std::optional<milliseconds> slice;
        if (spec.timeout) slice = ceil<milliseconds>(deadline - now);
        if (spec.cancelled) slice = std::min(slice.value_or(milliseconds(20)), milliseconds(20));
        child.wait(slice);
    }
    if (result.timed_out || result.cancelled || (spec.kill_leftovers && child.has_leftovers())) child.terminate(spec.kill_grace);
    child.drain();  // what the group wrote before it ended; living writers are not waited for
    const int status = child.reap();
    result.duration = duration_cast<milliseconds>(steady_clock::now() - start);

    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
        result.exit_code = 128 + result.signal;
    }
    result.output = child.take_output();
    result.output_dropped = child.dropped();
    if (result.output_dropped > 0) {
        if (!result.output.empty() && result.output.back() != '\n') result.output += '\n';
        result.output += "[orrery: " + std::to_string(result.output_dropped) + " more bytes of output dropped, over the capture limit of " +
                         std::to_string(spec.capture_limit) + " bytes]\n";
    }
    return result;
}

/// How a run ended, for a message: "exit code 3", "killed by signal 9 (SIGKILL)",
/// "timed out after 2.0 s", "cancelled after 0.35 s".
inline std::string describe_exit(const ProcessResult& r) {
    if (r.timed_out) return "timed out after " + detail::format_seconds(r.timeout.count() > 0 ? r.timeout : r.duration);
    if (r.cancelled) return "cancelled after " + detail::format_seconds(r.duration);
    if (r.signal != 0) {
        const char* name = detail::signal_name(r.signal);
        return "killed by signal " + std::to_string(r.signal) + (name != nullptr ? " (" + std::string(name) + ")" : std::string());
    }
    if (r.exit_code < 0) return "exit status unknown";
    return "exit code " + std::to_string(r.exit_code);
}

}  // namespace orrery::workflow
