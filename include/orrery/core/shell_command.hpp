#pragma once
// Running a shell command without pasting data into its text: the script runs
// as `/bin/sh -c SCRIPT orrery-hook ARG...`, so the arguments are the shell's
// positional parameters ("$1", "$@") and a file name full of spaces, quotes or
// `;` is still one word that the shell never parses as code.

#include "orrery/core/errors.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;  // POSIX: the process environment, passed on to the child

namespace orrery {

/// Run `script` with /bin/sh, `args` as $1..$N; wait for it. Returns its exit
/// status, or 128 + N when signal N ended it (as the shell reports it).
inline int run_shell_script(const std::string& script, const std::vector<std::string>& args) {
    std::string sh = "/bin/sh", dash_c = "-c", body = script, name = "orrery-hook";
    std::vector<std::string> owned = args;
    std::vector<char*> argv{sh.data(), dash_c.data(), body.data(), name.data()};
    for (auto& a : owned) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (const int rc = ::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv.data(), environ); rc != 0)
        throw StepError("cannot start /bin/sh: " + std::string(std::strerror(rc)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw StepError("waiting for /bin/sh: " + std::string(std::strerror(errno)));
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace orrery
