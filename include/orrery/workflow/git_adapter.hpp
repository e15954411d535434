#pragma once
/// The `git` adapter: the real `git` program run on one repository, with the
/// author identity passed on every call (`-c user.name=... -c user.email=...`) so
/// that a release does not depend on the machine's git configuration. A failing
/// git command is a StepError carrying git's own error line.
///
///   adapters: { git: { repo: ".", remote: origin, author_name: "Release Bot",
///                      author_email: "bot@example.org" } }

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/workflow/adapter.hpp"
#include "orrery/workflow/adapter_registry.hpp"
#include "orrery/workflow/child_process.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace orrery::workflow {

class GitAdapter : public Adapter {
public:
    static constexpr std::string_view description = "Commits, tags and pushes through the git program";

    [[nodiscard]] std::string name() const override { return "git"; }
    [[nodiscard]] nlohmann::json config_schema() const override {
        auto text = [](const char* def, const char* what) {
            return nlohmann::json{{"type", "string"}, {"default", def}, {"description", what}};
        };
        return {{"$schema", "http://json-schema.org/draft-07/schema#"},
                {"type", "object"},
                {"additionalProperties", false},
                {"properties",
                 {{"repo", text(".", "The repository's working tree")},
                  {"remote", text("", "Remote pushed to (empty: nothing is pushed)")},
                  {"author_name", text("", "Commit and tag author name (empty: git's configuration)")},
                  {"author_email", text("", "Commit and tag author e-mail (empty: git's configuration)")},
                  {"program", text("git", "The git program (a name looked up on PATH, or a path)")},
                  {"timeout_ms", {{"type", "integer"}, {"minimum", 1}, {"default", 120000}, {"description", "Longest a git command may run"}}}}}};
    }
    [[nodiscard]] nlohmann::json defaults() const override {
        return {{"repo", "."}, {"remote", ""}, {"author_name", ""}, {"author_email", ""}, {"program", "git"}, {"timeout_ms", 120000}};
    }

    [[nodiscard]] std::vector<std::string> path_keys() const override { return {"repo"}; }

    void configure(const nlohmann::json& user_config) override {
        Adapter::configure(user_config);
        repo_ = std::filesystem::absolute(config_string("repo")).lexically_normal();
        remote_ = config_string("remote");
        timeout_ = std::chrono::milliseconds(config().at("timeout_ms").get<long long>());
        program_.clear();
    }
    /// Checks that git runs and that `repo` is a work tree, then publishes itself.
    void initialize(Context& ctx) override {
        (void)program();
        if (!is_repository()) throw ConfigError("adapter 'git': " + repo_.string() + " is not a git repository (config.repo)");
        register_as<GitAdapter>(ctx);
    }
    [[nodiscard]] std::optional<std::string> value(std::string_view key) const override {
        if (key == "repo") return repo_.string();
        if (key == "remote") return remote_;
        if (key == "head") return head();
        if (key == "branch") return current_branch();
        return std::nullopt;
    }

    [[nodiscard]] const std::filesystem::path& repo() const noexcept { return repo_; }
    [[nodiscard]] const std::string& remote() const noexcept { return remote_; }

    /// `git <args>` in the repository; its output. A StepError with git's error line on failure.
    std::string run(const std::vector<std::string>& args) const {
        const auto result = run_process(spec(args));
        if (!result.ok()) throw StepError("git " + join(args) + " (in " + repo_.string() + "): " + error_line(result));
        return result.output;
    }
    [[nodiscard]] bool is_repository() const {
        std::error_code ec;
        if (!std::filesystem::is_directory(repo_, ec)) return false;
        const auto result = run_process(spec({"rev-parse", "--is-inside-work-tree"}));
        return result.ok() && trim(result.output) == "true";
    }
    /// The full hash of HEAD.
    [[nodiscard]] std::string head() const { return trim(run({"rev-parse", "HEAD"})); }
    [[nodiscard]] std::string current_branch() const { return trim(run({"symbolic-ref", "--short", "HEAD"})); }
    /// `git status --porcelain`: empty when the working tree is clean (untracked
    /// files count unless `include_untracked` is false).
    [[nodiscard]] std::string status_porcelain(bool include_untracked = true) const {
        return include_untracked ? run({"status", "--porcelain"}) : run({"status", "--porcelain", "--untracked-files=no"});
    }
    void add(const std::vector<std::string>& paths) const {
        std::vector<std::string> args{"add", "--"};
        args.insert(args.end(), paths.begin(), paths.end());
        run(args);
    }
    /// Commit what is staged; the new HEAD's hash.
    std::string commit(const std::string& message) const {
        run({"commit", "--quiet", "-m", message});
        return head();
    }
    /// An annotated tag on HEAD.
    void tag(const std::string& tag_name, const std::string& message) const { run({"tag", "-a", tag_name, "-m", message}); }
    void push(const std::string& remote, const std::string& ref) const { run({"push", "--quiet", remote, ref}); }
    [[nodiscard]] std::vector<std::string> tags() const { return lines(run({"tag", "--list"})); }
    /// The most recent tag reachable from HEAD, if any.
    [[nodiscard]] std::optional<std::string> last_tag() const {
        const auto result = run_process(spec({"describe", "--tags", "--abbrev=0"}));
        if (!result.ok()) return std::nullopt;
        return trim(result.output);
    }
    /// `git log --oneline` since `since` (exclusive), or the whole history; one entry per commit.
    [[nodiscard]] std::vector<std::string> log_oneline(const std::optional<std::string>& since = std::nullopt) const {
        std::vector<std::string> args{"log", "--oneline", "--no-decorate"};
        if (since) args.push_back(*since + "..HEAD");
        return lines(run(args));
    }

private:
    const std::string& program() const {
        if (program_.empty()) {
            const std::string wanted = config_string("program");
            const auto found = find_program(wanted);
            if (!found) throw ConfigError("adapter 'git': the program '" + wanted + "' is not found (config.program, PATH)");
            program_ = found->string();
        }
        return program_;
    }
    [[nodiscard]] ProcessSpec spec(const std::vector<std::string>& args) const {
        ProcessSpec s;
        s.program = program();
        s.args = {"-C", repo_.string()};
        if (const auto n = config_string("author_name"); !n.empty()) s.args.insert(s.args.end(), {"-c", "user.name=" + n});
        if (const auto e = config_string("author_email"); !e.empty()) s.args.insert(s.args.end(), {"-c", "user.email=" + e});
        s.args.insert(s.args.end(), args.begin(), args.end());
        // Never wait for a password prompt; English messages so error lines read the same everywhere.
        s.env = {{"GIT_TERMINAL_PROMPT", "0"}, {"LC_ALL", "C"}};
        s.timeout = timeout_;
        return s;
    }
    static std::string trim(std::string s) {
        while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
        return s;
    }
    static std::vector<std::string> lines(const std::string& text) {
        std::vector<std::string> out;
        std::size_t start = 0;
        while (start < text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            if (end > start) out.push_back(text.substr(start, end - start));
            start = end + 1;
        }
        return out;
    }
    static std::string join(const std::vector<std::string>& args) {
        std::string out;
        for (const auto& a : args) out += (out.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
        return out;
    }
    /// git's "fatal: ..." / "error: ..." line, else its last line, else how it ended.
    static std::string error_line(const ProcessResult& result) {
        const auto all = lines(result.output);
        for (const auto& l : all)
            if (l.rfind("fatal:", 0) == 0 || l.rfind("error:", 0) == 0) return l;
        if (!all.empty()) return all.back();
        return describe_exit(result);
    }

    std::filesystem::path repo_{};
    std::string remote_{};
    std::chrono::milliseconds timeout_{120000};
    mutable std::string program_{};  // resolved on first use
};

}  // namespace orrery::workflow

ORRERY_REGISTER_ADAPTER(orrery::workflow::GitAdapter, "git")
