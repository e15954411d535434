#pragma once
/// The step handlers of the `release` workflow type, in the order it runs them:
///
///   release_bump_version  VERSION 1.2.3 -> 1.3.0 (part major|minor|patch)
///   release_changelog     "## 1.3.0 — 2026-12-03" + `git log --oneline` since the last tag
///   release_readme        the version marker in README.md
///   release_validators    shell commands that must all pass
///   release_git_commit    stage the release files, commit "Release 1.3.0"
///   release_git_tag       annotated tag v1.3.0
///   release_git_push      branch and tag to the remote (only when one is configured)
///
/// Each is stateless: it reads the (bumped) version from the version file, so any
/// stage can be rerun alone. Files go through the FilesystemAdapter (paths relative
/// to its root), git through the GitAdapter, both found on the Context.

#include "orrery/core/context.hpp"
#include "orrery/core/errors.hpp"
#include "orrery/core/params.hpp"
#include "orrery/core/register.hpp"
#include "orrery/workflow/child_process.hpp"
#include "orrery/workflow/filesystem_adapter.hpp"
#include "orrery/workflow/git_adapter.hpp"
#include "orrery/workflow/semver.hpp"
#include "orrery/workflow/stage_request.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::workflow::release {

namespace detail {

/// Where the version sits in a file: the whole first line, or `pattern`'s first group.
struct VersionSpan {
    std::string content{};
    std::size_t begin = 0, length = 0;
    [[nodiscard]] std::string text() const { return content.substr(begin, length); }
};

inline VersionSpan locate_version(const FilesystemAdapter& fs, const std::string& file, const std::string& pattern) {
    if (!fs.exists(file)) throw InputError("release: the version file " + fs.resolve(file).string() + " does not exist");
    VersionSpan span;
    span.content = fs.read_text(file);
    if (pattern.empty()) {
        span.begin = span.content.find_first_not_of(" \t\r\n");
        if (span.begin == std::string::npos) throw InputError("release: the version file " + file + " is empty");
        const auto end = span.content.find_first_of(" \t\r\n", span.begin);
        span.length = (end == std::string::npos ? span.content.size() : end) - span.begin;
        return span;
    }
    std::smatch m;
    if (!std::regex_search(span.content, m, std::regex(pattern)) || m.size() < 2 || !m[1].matched)
        throw InputError("release: " + file + " has no match for the version pattern '" + pattern + "' (its first group is the version)");
    span.begin = static_cast<std::size_t>(m.position(1));
    span.length = static_cast<std::size_t>(m.length(1));
    return span;
}

inline Semver read_version(const FilesystemAdapter& fs, const std::string& file, const std::string& pattern) {
    return Semver::parse_or_throw(locate_version(fs, file, pattern).text(), "release: the version in " + file);
}

inline std::string expand_template(std::string text, const std::string& version) {
    const std::string key = "{version}";
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + version.size())) text.replace(pos, key.size(), version);
    return text;
}

/// Today as YYYY-MM-DD (UTC), unless `fixed` is given.
inline std::string release_date(const std::string& fixed) {
    if (!fixed.empty()) return fixed;
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                  static_cast<unsigned>(day.day()));
    return buf;
}

inline std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    const auto begin = text.rfind('\n', end);
    return text.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1) + 1);
}

// Every handler reads the version itself (any stage can be rerun alone): the same two parameters.
inline constexpr const char* version_file_help = "File holding the version, relative to the filesystem adapter's root";
inline constexpr const char* version_pattern_help = "Regex whose first group is the version (empty: the file's first word)";

}  // namespace detail

// ---- bump the version ------------------------------------------------------------------

struct BumpVersionParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::string part = "patch";
    bool require_clean = true;
    ORRERY_REFLECT(BumpVersionParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (part, "Part of the version to increment", orrery::one_of("major|minor|patch")),
        (require_clean, "Refuse to start when tracked files have uncommitted changes"))
};

struct BumpVersion {
    static constexpr std::string_view name = "release_bump_version";
    static constexpr std::string_view class_name = "orrery.release.BumpVersion";
    static constexpr std::string_view description = "Increment the semantic version in the version file";
    using Params = BumpVersionParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        if (p.require_clean) {
            const auto& git = ctx.service<GitAdapter>();
            if (const auto dirty = git.status_porcelain(false); !dirty.empty())
                throw StepError("release: the working tree of " + git.repo().string() + " has uncommitted changes (" +
                                dirty.substr(0, dirty.find('\n')) + (dirty.find('\n') + 1 < dirty.size() ? ", ..." : "") +
                                "): commit or stash them first");
        }
        auto span = detail::locate_version(fs, p.version_file, p.version_pattern);
        const Semver current = Semver::parse_or_throw(span.text(), "release: the version in " + p.version_file);
        const Semver next = current.bumped(p.part);
        std::string content = span.content;
        content.replace(span.begin, span.length, next.to_string());
        if (p.version_pattern.empty() && content.back() != '\n') content += '\n';
        fs.write_text(p.version_file, content);
        return {{{"version_file", fs.resolve(p.version_file)}}, current.to_string() + " -> " + next.to_string()};
    }
};

// ---- changelog -------------------------------------------------------------------------

struct ChangelogParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::string file = "CHANGELOG.md";
    std::string title = "# Changelog";
    std::string date{};
    ORRERY_REFLECT(ChangelogParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (file, "The changelog, created when absent"),
        (title, "First line of a new changelog; new sections go below it"),
        (date, "Release date YYYY-MM-DD (empty: today, UTC)"))
};

struct Changelog {
    static constexpr std::string_view name = "release_changelog";
    static constexpr std::string_view class_name = "orrery.release.Changelog";
    static constexpr std::string_view description = "Add a section for the version listing the commits since the last tag";
    using Params = ChangelogParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        const auto& git = ctx.service<GitAdapter>();
        const std::string version = detail::read_version(fs, p.version_file, p.version_pattern).to_string();
        const auto since = git.last_tag();
        const auto commits = git.log_oneline(since);
        std::string section = "## " + version + " — " + detail::release_date(p.date) + "\n\n";
        for (const auto& c : commits) section += "- " + c + "\n";
        if (commits.empty()) section += "- (no changes)\n";
        section += "\n";

        std::string content = fs.exists(p.file) ? fs.read_text(p.file) : p.title + "\n\n";
        if (content.find("## " + version + " ") != std::string::npos)
            throw StepError("release: " + p.file + " already has a section for " + version);
        // New sections go above the previous ones: after the title line and its blank lines.
        std::size_t at = 0;
        if (content.rfind("# ", 0) == 0) {
            auto eol = content.find('\n');
            if (eol == std::string::npos) eol = (content += '\n').size() - 1;
            at = eol + 1;
            if (at >= content.size() || content[at] != '\n') content.insert(at, "\n");  // one blank line under the title
            while (at < content.size() && content[at] == '\n') ++at;
        }
        content.insert(at, section);
        fs.write_text(p.file, content);
        return {{{"changelog", fs.resolve(p.file)}},
                version + ": " + std::to_string(commits.size()) + " commit(s) since " + (since ? *since : "the first commit")};
    }
};

// ---- README version marker -------------------------------------------------------------

struct ReadmeVersionParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::string file = "README.md";
    std::string pattern = "[Vv]ersion:? v?([0-9]+\\.[0-9]+\\.[0-9]+[-+.0-9A-Za-z]*)";
    ORRERY_REFLECT(ReadmeVersionParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (file, "The file whose version marker is updated"),
        (pattern, "Regex of the marker; its first group is replaced by the version, in every match"))
};

struct ReadmeVersion {
    static constexpr std::string_view name = "release_readme";
    static constexpr std::string_view class_name = "orrery.release.ReadmeVersion";
    static constexpr std::string_view description = "Replace the version marker in the README";
    using Params = ReadmeVersionParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        const std::string version = detail::read_version(fs, p.version_file, p.version_pattern).to_string();
        const std::string content = fs.read_text(p.file);
        const std::regex marker(p.pattern);
        std::string out;
        std::size_t copied = 0, replaced = 0;
        for (auto it = std::sregex_iterator(content.begin(), content.end(), marker); it != std::sregex_iterator(); ++it) {
            const auto& m = *it;
            if (m.size() < 2 || !m[1].matched) continue;
            const auto begin = static_cast<std::size_t>(m.position(1));
            out += content.substr(copied, begin - copied) + version;
            copied = begin + static_cast<std::size_t>(m.length(1));
            ++replaced;
        }
        if (replaced == 0) throw StepError("release: " + p.file + " has no version marker matching '" + p.pattern + "'");
        out += content.substr(copied);
        fs.write_text(p.file, out);
        return {{{"readme", fs.resolve(p.file)}}, std::to_string(replaced) + " marker(s) set to " + version};
    }
};

// ---- validators ------------------------------------------------------------------------

struct ValidatorsParams {
    std::vector<std::string> commands{};
    std::string shell = "sh";
    int timeout_s = 600;
    ORRERY_REFLECT(ValidatorsParams,
        (commands, "Shell commands run in the filesystem adapter's root; every one must exit 0"),
        (shell, "Shell running each command as `<shell> -c <command>`"),
        (timeout_s, "Longest one command may run, in seconds", orrery::min(1)))
};

struct Validators {
    static constexpr std::string_view name = "release_validators";
    static constexpr std::string_view class_name = "orrery.release.Validators";
    static constexpr std::string_view description = "Run the release checks (tests, linters); all must pass";
    using Params = ValidatorsParams;
    static StageArtifacts process(StageRequest request, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        StageArtifacts out;
        std::string log;
        for (const auto& command : p.commands) {
            ProcessSpec spec;
            spec.program = p.shell;
            spec.args = {"-c", command};
            spec.cwd = fs.root();
            spec.timeout = std::chrono::seconds(p.timeout_s);
            const auto result = run_process(spec);
            log += "$ " + command + "\n" + result.output;
            if (!result.ok()) {
                const auto line = detail::last_line(result.output);
                throw StepError("release: validator `" + command + "` failed (" + describe_exit(result) + ")" + (line.empty() ? "" : ": " + line));
            }
        }
        if (!request.run_dir.empty() && !p.commands.empty()) {
            const auto log_path = request.run_dir / ((request.stage_id.empty() ? "validators" : request.stage_id) + ".log");
            std::filesystem::create_directories(log_path.parent_path());
            std::ofstream(log_path, std::ios::binary) << log;
            out.files["log"] = log_path;
        }
        out.summary = std::to_string(p.commands.size()) + " validator(s) passed";
        return out;
    }
};

// ---- git: commit, tag, push -------------------------------------------------------------

struct GitCommitParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::vector<std::string> files{"VERSION"};
    std::string message = "Release {version}";
    ORRERY_REFLECT(GitCommitParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (files, "Files staged for the commit (relative to the filesystem adapter's root)"),
        (message, "Commit message; {version} is replaced"))
};

struct GitCommit {
    static constexpr std::string_view name = "release_git_commit";
    static constexpr std::string_view class_name = "orrery.release.GitCommit";
    static constexpr std::string_view description = "Stage the release files and commit them";
    using Params = GitCommitParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        const auto& git = ctx.service<GitAdapter>();
        const std::string version = detail::read_version(fs, p.version_file, p.version_pattern).to_string();
        std::vector<std::string> paths;
        for (const auto& f : p.files) paths.push_back(fs.resolve(f).string());
        git.add(paths);
        const std::string sha = git.commit(detail::expand_template(p.message, version));
        return {{}, "committed " + sha.substr(0, 12) + " " + detail::expand_template(p.message, version)};
    }
};

struct GitTagParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::string tag_prefix = "v";
    std::string message = "Release {version}";
    ORRERY_REFLECT(GitTagParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (tag_prefix, "Tag name = prefix + version"),
        (message, "Annotated tag message; {version} is replaced"))
};

struct GitTag {
    static constexpr std::string_view name = "release_git_tag";
    static constexpr std::string_view class_name = "orrery.release.GitTag";
    static constexpr std::string_view description = "Tag HEAD with an annotated tag for the version";
    using Params = GitTagParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        const auto& git = ctx.service<GitAdapter>();
        const std::string version = detail::read_version(fs, p.version_file, p.version_pattern).to_string();
        const std::string tag = p.tag_prefix + version;
        git.tag(tag, detail::expand_template(p.message, version));
        return {{}, "tagged " + tag};
    }
};

struct GitPushParams {
    std::string version_file = "VERSION";
    std::string version_pattern{};
    std::string remote{};
    std::string branch{};
    std::string tag_prefix = "v";
    bool push_tag = true;
    ORRERY_REFLECT(GitPushParams,
        (version_file, detail::version_file_help),
        (version_pattern, detail::version_pattern_help),
        (remote, "Remote to push to (empty: the git adapter's remote; none: nothing is pushed)"),
        (branch, "Branch to push (empty: the current branch)"),
        (tag_prefix, "Tag name = prefix + version"),
        (push_tag, "Also push the release tag"))
};

struct GitPush {
    static constexpr std::string_view name = "release_git_push";
    static constexpr std::string_view class_name = "orrery.release.GitPush";
    static constexpr std::string_view description = "Push the release branch and tag to the remote";
    using Params = GitPushParams;
    static StageArtifacts process(StageRequest, const Params& p, Context& ctx) {
        const auto& fs = ctx.service<FilesystemAdapter>();
        const auto& git = ctx.service<GitAdapter>();
        const std::string remote = p.remote.empty() ? git.remote() : p.remote;
        if (remote.empty()) return {{}, "no remote configured: nothing pushed"};
        const std::string branch = p.branch.empty() ? git.current_branch() : p.branch;
        git.push(remote, branch);
        std::string summary = "pushed " + branch;
        if (p.push_tag) {
            const std::string tag = p.tag_prefix + detail::read_version(fs, p.version_file, p.version_pattern).to_string();
            git.push(remote, "refs/tags/" + tag);
            summary += " and " + tag;
        }
        return {{}, summary + " to " + remote};
    }
};

}  // namespace orrery::workflow::release

ORRERY_REGISTER_STEP(orrery::workflow::release::BumpVersion)
ORRERY_REGISTER_STEP(orrery::workflow::release::Changelog)
ORRERY_REGISTER_STEP(orrery::workflow::release::ReadmeVersion)
ORRERY_REGISTER_STEP(orrery::workflow::release::Validators)
ORRERY_REGISTER_STEP(orrery::workflow::release::GitCommit)
ORRERY_REGISTER_STEP(orrery::workflow::release::GitTag)
ORRERY_REGISTER_STEP(orrery::workflow::release::GitPush)
