#pragma once
// Runs a program as a user would (fork + exec, in a given directory, with
// environment changes) and returns its exit status and what it printed. Output goes
// through files in that directory (".stdout", ".stderr"), read back and kept there.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace orrery::test {

struct ProgramResult {
    int rc = -1;
    std::string out, err;
    [[nodiscard]] int err_lines() const {
        int n = 0;
        for (char c : err) n += c == '\n';
        return n;
    }
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// `exe args...` in `dir`; `env`: name -> value ("" unsets).
inline ProgramResult run_program(const std::string& exe, std::vector<std::string> args, const std::filesystem::path& dir,
                                 const std::map<std::string, std::string>& env = {}) {
    const auto out_file = dir / ".stdout", err_file = dir / ".stderr";
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(dir.c_str()) != 0) ::_exit(120);
        for (const auto& [k, v] : env) {
            if (v.empty()) ::unsetenv(k.c_str());
            else ::setenv(k.c_str(), v.c_str(), 1);
        }
        const int fo = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int fe = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fo, 1);
        ::dup2(fe, 2);
        std::vector<char*> argv;
        std::string argv0 = exe;
        argv.push_back(argv0.data());
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(exe.c_str(), argv.data());
        ::_exit(121);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ProgramResult r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out_file);
    r.err = slurp(err_file);
    return r;
}

}  // namespace orrery::test
