#pragma once
/// Interpreters for a command stage's `runtime: python|node|shell|exec`: which one a
/// script wants (by extension, else by its '#!' line), where the interpreter is on
/// PATH and its version (probed once per process), and the command that runs a
/// script with it. `exec` runs the program itself.

#include "orrery/core/errors.hpp"
#include "orrery/workflow/child_process.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace orrery::workflow {

enum class Runtime { python, node, shell, exec };

inline std::optional<Runtime> parse_runtime(std::string_view name) {
    if (name == "python") return Runtime::python;
    if (name == "node") return Runtime::node;
    if (name == "shell") return Runtime::shell;
    if (name == "exec") return Runtime::exec;
    return std::nullopt;
}

inline std::string_view runtime_name(Runtime runtime) {
    switch (runtime) {
        case Runtime::python: return "python";
        case Runtime::node: return "node";
        case Runtime::shell: return "shell";
        case Runtime::exec: return "exec";
    }
    return "exec";
}

namespace detail {

/// The runtime an interpreter's file name belongs to: python, python3, python3.11,
/// node, nodejs, sh, bash, dash; nullopt for anything else.
inline std::optional<Runtime> runtime_of_interpreter(std::string_view name) {
    if (name.substr(0, 6) == "python") return Runtime::python;
    if (name == "node" || name == "nodejs") return Runtime::node;
    if (name == "sh" || name == "bash" || name == "dash") return Runtime::shell;
    return std::nullopt;
}

/// The interpreter named by a '#!' line ("#!/usr/bin/python3", "#!/usr/bin/env -S node
/// --flag"), nullopt when the file has none or it names something else.
inline std::optional<Runtime> runtime_of_shebang(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::array<char, 256> head{};
    in.read(head.data(), head.size());
    const std::string_view text(head.data(), static_cast<std::size_t>(in.gcount()));
    if (text.substr(0, 2) != "#!") return std::nullopt;
    std::string_view line = text.substr(2, text.find('\n') == std::string_view::npos ? std::string_view::npos : text.find('\n') - 2);
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < line.size();) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        const std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    const auto base = [](std::string_view w) { return w.substr(w.rfind('/') == std::string_view::npos ? 0 : w.rfind('/') + 1); };
    if (words.empty()) return std::nullopt;
    if (base(words[0]) != "env") return runtime_of_interpreter(base(words[0]));
    for (std::size_t i = 1; i < words.size(); ++i) {  // env's options and VAR=value come before the program
        if (words[i].front() == '-' || words[i].find('=') != std::string_view::npos) continue;
        return runtime_of_interpreter(base(words[i]));
    }
    return std::nullopt;
}

}  // namespace detail

/// The runtime a program wants: .py -> python; .js, .mjs, .cjs -> node; .sh, .bash ->
/// shell; else the '#!' line of an existing file; else exec (run it as it is).
inline Runtime detect_runtime(const std::filesystem::path& program) {
    std::string ext = program.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".py") return Runtime::python;
    if (ext == ".js" || ext == ".mjs" || ext == ".cjs") return Runtime::node;
    if (ext == ".sh" || ext == ".bash") return Runtime::shell;
    std::error_code ec;
    if (std::filesystem::is_regular_file(program, ec))
        if (auto from_shebang = detail::runtime_of_shebang(program)) return *from_shebang;
    return Runtime::exec;
}

struct Interpreter {
    Runtime runtime{};
    std::filesystem::path path{};
    std::string version{};  // first line of `path --version`, trimmed; empty if it has none
};

namespace detail {

/// The names tried on PATH, in order.
inline std::vector<std::string_view> interpreter_names(Runtime runtime) {
    switch (runtime) {
        case Runtime::python: return {"python3", "python"};
        case Runtime::node: return {"node", "nodejs"};
        case Runtime::shell: return {"bash", "sh"};
        case Runtime::exec: return {};
    }
    return {};
}

inline std::string probe_version(const std::filesystem::path& interpreter) {
    try {
        ProcessSpec spec;
        spec.program = interpreter.string();
        spec.args = {"--version"};
        spec.timeout = std::chrono::seconds(10);
        spec.kill_grace = std::chrono::milliseconds(200);
        spec.capture_limit = 4096;
        const ProcessResult r = run_process(spec);
        if (!r.ok()) return {};  // dash has no --version
        std::string_view line(r.output);
        line = line.substr(0, line.find('\n'));
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
        return std::string(line);
    } catch (const Error&) {
        return {};
    }
}

}  // namespace detail

/// The interpreter of a runtime in the directories of `search_path` (python: python3
/// then python; node: node then nodejs; shell: bash then sh) with its version; exec
/// has none (nullopt). Not cached: `orrery graph doctor` and tests ask about a PATH.
/// `with_version` false skips running `--version` (a pyenv shim takes most of a second).
inline std::optional<Interpreter> find_interpreter(Runtime runtime, std::string_view search_path, bool with_version = true) {
    for (const std::string_view name : detail::interpreter_names(runtime)) {
        if (auto path = find_program(name, search_path)) {
            std::error_code ec;
            const auto absolute = std::filesystem::absolute(*path, ec);  // a PATH entry may be relative; a stage's cwd must not change it
            return Interpreter{runtime, ec ? *path : absolute, with_version ? detail::probe_version(*path) : std::string()};
        }
    }
    return std::nullopt;
}

/// The same on this process's PATH, looked up once per process and runtime; safe to
/// call from several threads.
inline std::optional<Interpreter> find_interpreter(Runtime runtime) {
    if (runtime == Runtime::exec) return std::nullopt;
    static std::mutex mutex;
    static std::map<Runtime, std::optional<Interpreter>> cache;
    const std::lock_guard lock(mutex);  // held while probing: a second caller waits for the answer
    if (const auto hit = cache.find(runtime); hit != cache.end()) return hit->second;
    const char* path = std::getenv("PATH");
    auto found = find_interpreter(runtime, path != nullptr ? std::string(path) : detail::default_search_path());
    cache.emplace(runtime, found);
    return found;
}

/// The command that runs `program` with `args` under a runtime with a given
/// interpreter: the interpreter first (python3 script.py args...); exec runs the
/// program itself and needs none. Throws ConfigError ("runtime 'node' needs node or
/// nodejs on PATH") when a runtime other than exec has no interpreter.
inline ProcessSpec command_with(Runtime runtime, const std::optional<Interpreter>& interpreter, const std::string& program,
                                std::vector<std::string> args) {
    ProcessSpec spec;
    if (runtime == Runtime::exec) {
        spec.program = program;
        spec.args = std::move(args);
        return spec;
    }
    if (!interpreter) {
        const auto names = detail::interpreter_names(runtime);
        throw ConfigError("runtime '" + std::string(runtime_name(runtime)) + "' needs " + std::string(names[0]) + " or " + std::string(names[1]) +
                          " on PATH");
    }
    spec.program = interpreter->path.string();
    spec.args.reserve(args.size() + 1);
    spec.args.push_back(program);
    for (auto& a : args) spec.args.push_back(std::move(a));
    return spec;
}

/// The runtime's interpreter on this process's PATH without its version (what a
/// command needs), looked up once per process and runtime; thread-safe.
inline std::optional<Interpreter> interpreter_for_commands(Runtime runtime) {
    if (runtime == Runtime::exec) return std::nullopt;
    static std::mutex mutex;
    static std::map<Runtime, std::optional<Interpreter>> cache;
    const std::lock_guard lock(mutex);
    if (const auto hit = cache.find(runtime); hit != cache.end()) return hit->second;
    const char* path = std::getenv("PATH");
    auto found = find_interpreter(runtime, path != nullptr ? std::string(path) : detail::default_search_path(), false);
    cache.emplace(runtime, found);
    return found;
}

/// The same with the runtime's interpreter from this process's PATH.
inline ProcessSpec command_for(Runtime runtime, const std::string& program, std::vector<std::string> args) {
    return command_with(runtime, interpreter_for_commands(runtime), program, std::move(args));
}

}  // namespace orrery::workflow
